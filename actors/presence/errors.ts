/** Stable codes of every error actors/presence throws; callers branch on `code`, not messages. */
export type PresenceErrorCode =
  /** Constructor options that cannot be used; the message names the option. */
  | 'ARQ_ERR_PRESENCE_OPTIONS'
  /** A local call with an argument that cannot be used (empty topic, non-object meta, ...). */
  | 'ARQ_ERR_PRESENCE_ARGUMENT'
  /** A delta or state from the network that does not parse; the message names the bad field. */
  | 'ARQ_ERR_PRESENCE_MALFORMED'
  /** Two deltas of different replicas given to `mergePresenceDeltas`. */
  | 'ARQ_ERR_PRESENCE_REPLICA_MISMATCH';

export class PresenceError extends Error {
  readonly code: PresenceErrorCode;
  constructor(code: PresenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PresenceError';
    this.code = code;
  }
}

const MAX_QUOTED_CHARS = 48;

/** An untrusted value for an error message: JSON-quoted and cut short, so it cannot flood logs. */
export function quote(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}...` : text;
}
