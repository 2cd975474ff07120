export type { ShardDelivery, ShardPoolEvent } from './shard-delivery.js';
export { ShardError, type ShardErrorCode, ShardReplyError } from './shard-error.js';
export { ShardPlacement } from './shard-placement.js';
export { type JoinReply, type PublishReply, ShardPool } from './shard-pool.js';
export * from './shard-pool-options.js';
export type { ReplyCallback } from './shard-slot.js';
