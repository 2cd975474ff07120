export type EdgeErrorCode = 'ARQ_ERR_EDGE_OPTIONS' | 'ARQ_ERR_EDGE_LISTEN' | 'ARQ_ERR_EDGE_STATE';

export class EdgeError extends Error {
  readonly code: EdgeErrorCode;
  constructor(code: EdgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EdgeError';
    this.code = code;
  }
}
