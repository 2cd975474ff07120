import { availableParallelism } from 'node:os';

export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_PORT = 7070;
export const DEFAULT_CLOCK_SKEW_SEC = 5;
export const DEFAULT_HEARTBEAT_MS = 25_000;
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
export const DEFAULT_HARD_MAX_FRAME_BYTES = 1024 * 1024;
export const DEFAULT_BAD_FRAME_BUDGET = 20;
export const DEFAULT_MAX_CONNECTIONS_PER_TENANT = 10_000;
export const DEFAULT_MAX_ROOMS_PER_CONNECTION = 100;
export const DEFAULT_PUBLISH_RATE = 100;
export const DEFAULT_PUBLISH_BURST = 200;
/** A `history` page is a read of up to 768 KiB: far fewer than publishes. */
export const DEFAULT_HISTORY_RATE = 10;
export const DEFAULT_HISTORY_BURST = 20;
export const DEFAULT_TENANT_PUBLISH_RATE = 20_000;
export const DEFAULT_TENANT_PUBLISH_BURST = 40_000;
export const DEFAULT_MAX_SEND_BUFFER_BYTES = 1024 * 1024;
export const DEFAULT_ROOM_IDLE_MS = 30_000;
export { DEFAULT_RING_LINGER_MS } from '../shard/index.js';
export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
export const DEFAULT_DOWN_AFTER_MS = 3_000;
export const DEFAULT_PRESENCE_BROADCAST_MS = 250;
/** Below what a person notices, long enough to batch a join storm into one diff per member. */
export const DEFAULT_PRESENCE_COALESCE_MS = 50;
export { DEFAULT_FAN_IN_LINGER_MS as DEFAULT_FANOUT_LINGER_MS } from '../cluster/index.js';
export {
  DEFAULT_HISTORY_MAX_AGE_SEC,
  DEFAULT_HISTORY_MAX_BYTES,
  DEFAULT_HISTORY_MAX_MESSAGES,
} from '../storage/index.js';
export const DEFAULT_LOG_LEVEL = 'info';
/** 16 MiB of Wasm memory per policy instance (DEFAULT_POLICY_MEMORY_PAGES of src/policy). */
export const DEFAULT_POLICY_MEMORY_MB = 16;
export const DEFAULT_JWKS_ALGS: readonly string[] = ['RS256', 'ES256', 'EdDSA'];

/** cores - 1, at least 1: the edge keeps one core. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}
