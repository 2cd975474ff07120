export type ShardErrorCode =
  | 'ARQ_ERR_SHARD_OPTIONS'
  | 'ARQ_ERR_SHARD_DOWN'
  | 'ARQ_ERR_SHARD_TIMEOUT'
  | 'ARQ_ERR_SHARD_PROTOCOL'
  | 'ARQ_ERR_SHARD_STOPPED'
  | 'ARQ_ERR_SHARD_REPLY';

/** A request to a shard that could not be answered, or a shard pool misuse. */
export class ShardError extends Error {
  readonly code: ShardErrorCode;
  constructor(code: ShardErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ShardError';
    this.code = code;
  }
}

/** A shard's own error reply (e.g. `not_joined`), carrying the wire code the room chose. */
export class ShardReplyError extends Error {
  readonly code = 'ARQ_ERR_SHARD_REPLY';
  readonly wireCode: string;
  constructor(wireCode: string, message: string) {
    super(message);
    this.name = 'ShardReplyError';
    this.wireCode = wireCode;
  }
}
