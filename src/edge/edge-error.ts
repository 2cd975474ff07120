export type EdgeErrorCode = 'ARQ_ERR_EDGE_OPTIONS' | 'ARQ_ERR_EDGE_LISTEN' | 'ARQ_ERR_EDGE_STATE';

/** The options field an `ARQ_ERR_EDGE_OPTIONS` error is about (`tls.certFile`) and what is wrong. */
export interface EdgeOptionFault {
  readonly path: string;
  readonly problem: string;
}

export class EdgeError extends Error {
  readonly code: EdgeErrorCode;
  /** Set on options errors that are about one field. */
  readonly fault: EdgeOptionFault | null;
  constructor(
    code: EdgeErrorCode,
    message: string,
    options?: { readonly cause?: unknown; readonly fault?: EdgeOptionFault },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EdgeError';
    this.code = code;
    this.fault = options?.fault ?? null;
  }
}
