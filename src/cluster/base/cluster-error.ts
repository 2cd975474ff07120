/** Stable codes of every error src/cluster throws; callers branch on `code`, never on messages. */
export type ClusterErrorCode =
  /** Constructor options that cannot be used; the message names the option. */
  | 'ARQ_ERR_CLUSTER_OPTIONS'
  /** A message from the network that does not parse; it is dropped and counted, never thrown out. */
  | 'ARQ_ERR_CLUSTER_MALFORMED'
  /** A subject or subject token that cannot be decoded. */
  | 'ARQ_ERR_CLUSTER_SUBJECT'
  /** A call the object's lifecycle does not allow (start twice, start after close). */
  | 'ARQ_ERR_CLUSTER_STATE'
  /** An owner asked of a ring with no members. */
  | 'ARQ_ERR_CLUSTER_EMPTY_RING';

export class ClusterError extends Error {
  readonly code: ClusterErrorCode;
  constructor(code: ClusterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClusterError';
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
