export type ProtocolErrorCode = 'ARQ_ERR_PROTOCOL_ENCODE';

/** Misuse of the codec by this process (not a client's fault): e.g. raw bytes put in a JSON frame. */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
