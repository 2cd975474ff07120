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

/** Internal codes of a room's error replies (its wire code travels on the ring). */
export type RoomReplyErrorCode =
  | 'ARQ_ERR_NOT_JOINED'
  | 'ARQ_ERR_ROOM_OVERLOADED'
  | 'ARQ_ERR_ROOM_FAILED'
  | 'ARQ_ERR_POLICY_DENIED'
  | 'ARQ_ERR_POLICY_DISCONNECT';

const ROOM_REPLY_CODES: Readonly<Record<string, RoomReplyErrorCode>> = {
  not_joined: 'ARQ_ERR_NOT_JOINED',
  overloaded: 'ARQ_ERR_ROOM_OVERLOADED',
  policy_denied: 'ARQ_ERR_POLICY_DENIED',
  // Not a wire code: the shard's way of saying "denied, and close the sender's socket".
  policy_disconnect: 'ARQ_ERR_POLICY_DISCONNECT',
};

/** A room's own error reply (e.g. `not_joined`); toWireError maps its code back to the wire. */
export class ShardReplyError extends Error {
  readonly code: RoomReplyErrorCode;
  constructor(wireCode: string, message: string) {
    super(message);
    this.name = 'ShardReplyError';
    this.code = ROOM_REPLY_CODES[wireCode] ?? 'ARQ_ERR_ROOM_FAILED';
  }
}
