export type UwsErrorCode = 'ARQ_ERR_UWS_UNAVAILABLE' | 'ARQ_ERR_UWS_INCOMPLETE';

/**
 * No uWebSockets.js build fits this Node and C library (`ARQ_ERR_UWS_UNAVAILABLE`), or the one
 * that loaded lacks a function the edge calls (`ARQ_ERR_UWS_INCOMPLETE`). The message says what
 * would work; `cause` keeps each candidate's own load error.
 */
export class UwsError extends Error {
  readonly code: UwsErrorCode;
  constructor(code: UwsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UwsError';
    this.code = code;
  }
}
