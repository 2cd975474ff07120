export type StorageErrorCode =
  | 'ARQ_ERR_STORAGE_OPTIONS'
  | 'ARQ_ERR_STORAGE_UNAVAILABLE'
  | 'ARQ_ERR_STORAGE_CONFLICT'
  | 'ARQ_ERR_STORAGE_CORRUPT';

/** A durable room's storage (JetStream) could not do what was asked, or was misconfigured. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}
