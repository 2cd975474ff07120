/** Stable codes of every error the transport throws; callers branch on `code`, never on messages. */
export type TransportErrorCode =
  /** Options or arguments that cannot be used; the message names the option. */
  | 'ARQ_ERR_RING_OPTIONS'
  /** A SharedArrayBuffer that is not a ring of this layout version. */
  | 'ARQ_ERR_RING_LAYOUT'
  /** One record (header + key + payload) larger than the ring's max record size: refused, never cut. */
  | 'ARQ_ERR_RECORD_TOO_LARGE'
  /** The outbound queue of a channel is past its maxQueuedBytes: the caller must shed load. */
  | 'ARQ_ERR_RING_FULL'
  /** The ring's published bytes do not parse: only possible if its contract was broken. */
  | 'ARQ_ERR_RING_CORRUPT'
  /** An operation called in a state that forbids it (e.g. reset from inside drain). */
  | 'ARQ_ERR_RING_STATE';

export class TransportError extends Error {
  readonly code: TransportErrorCode;
  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
    this.code = code;
  }
}
