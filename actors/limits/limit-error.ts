export type LimitErrorCode = 'ARQ_ERR_LIMIT_OPTIONS';

export class LimitError extends Error {
  readonly code: LimitErrorCode = 'ARQ_ERR_LIMIT_OPTIONS';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LimitError';
  }
}
