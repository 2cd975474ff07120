import type { SupervisionEventListener } from '../../supervision/index.js';
import { DEFAULT_POLICY_LIMITS, type PolicyLimits } from '../policy/index.js';
import type { RoomStorageConfig } from '../storage/index.js';
import type { ShardDelivery, ShardPoolEvent } from './shard-delivery.js';
import { ShardError } from './shard-error.js';

export const DEFAULT_SHARD_RING_BYTES = 4 * 1024 * 1024;
export const DEFAULT_SHARD_MAX_QUEUED_BYTES = 32 * 1024 * 1024;
export const DEFAULT_SHARD_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_SHARD_MAX_RESTARTS = 5;
export const DEFAULT_SHARD_PERIOD_MS = 10_000;
export const DEFAULT_SHARD_SHUTDOWN_MS = 5_000;
export const DEFAULT_ROOM_IDLE_MS = 30_000;
/**
 * A busy shard polls its inbound ring every 1 ms instead of being woken per burst: at 5000
 * publishes/s in small rooms ~20% less CPU per delivery for ~1 ms more p50 (bench/RESULTS.md,
 * session 5). 0 wakes the shard at once.
 */
export const DEFAULT_RING_LINGER_MS = 1;
export const DEFAULT_MAX_ROOMS_PER_SHARD = 1_000_000;

export interface ShardPoolOptions {
  /** Shard worker threads; 0 runs one shard in the edge's own thread (InlineShard). */
  readonly workers: number;
  readonly nodeId: string;
  readonly onDelivery: (delivery: ShardDelivery) => void;
  readonly onEvent?: (event: ShardPoolEvent) => void;
  readonly onSupervisionEvent?: SupervisionEventListener;
  readonly roomIdleMs?: number;
  /** Busy-stream polling period of each shard worker's inbound ring (ThreadChannelOptions.lingerMs). */
  readonly ringLingerMs?: number;
  readonly maxRoomsPerShard?: number;
  readonly ringBytes?: number;
  readonly maxQueuedBytes?: number;
  readonly requestTimeoutMs?: number;
  /** Restart intensity of the shard supervisor: more than maxRestarts within periodMs fails the pool. */
  readonly maxRestarts?: number;
  readonly periodMs?: number;
  readonly shutdownMs?: number;
  /** Limits of the policy hooks that run in the shards (on_publish). */
  readonly policyLimits?: PolicyLimits;
  /** Durable rooms: each shard stores the rooms it holds that match. */
  readonly storage?: RoomStorageConfig;
}

export interface ResolvedShardPoolOptions {
  /** Shards (at least 1), and whether the one shard of `workers: 0` runs in the edge's thread. */
  readonly shards: number;
  readonly inline: boolean;
  readonly nodeId: string;
  readonly onDelivery: (delivery: ShardDelivery) => void;
  readonly onEvent: (event: ShardPoolEvent) => void;
  readonly onSupervisionEvent: SupervisionEventListener | null;
  readonly roomIdleMs: number;
  readonly ringLingerMs: number;
  readonly maxRoomsPerShard: number;
  readonly ringBytes: number;
  readonly maxQueuedBytes: number;
  readonly requestTimeoutMs: number;
  readonly maxRestarts: number;
  readonly periodMs: number;
  readonly shutdownMs: number;
  readonly policyLimits: PolicyLimits;
  readonly storage: RoomStorageConfig | null;
}

function integer(name: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new ShardError(
      'ARQ_ERR_SHARD_OPTIONS',
      `options.${name} must be an integer >= ${min}, got ${v}`,
    );
  }
  return v;
}

function shardCount(workers: number): { shards: number; inline: boolean } {
  return workers === 0 ? { shards: 1, inline: true } : { shards: workers, inline: false };
}

export function resolveShardPoolOptions(options: ShardPoolOptions): ResolvedShardPoolOptions {
  if (typeof options.nodeId !== 'string' || options.nodeId.length === 0) {
    throw new ShardError('ARQ_ERR_SHARD_OPTIONS', 'options.nodeId must be a non-empty string');
  }
  if (typeof options.onDelivery !== 'function') {
    throw new ShardError('ARQ_ERR_SHARD_OPTIONS', 'options.onDelivery must be a function');
  }
  return {
    ...shardCount(integer('workers', options.workers, 1, 0)),
    nodeId: options.nodeId,
    onDelivery: options.onDelivery,
    onEvent: options.onEvent ?? (() => {}),
    onSupervisionEvent: options.onSupervisionEvent ?? null,
    roomIdleMs: integer('roomIdleMs', options.roomIdleMs, DEFAULT_ROOM_IDLE_MS, 0),
    ringLingerMs: integer('ringLingerMs', options.ringLingerMs, DEFAULT_RING_LINGER_MS, 0),
    maxRoomsPerShard: integer(
      'maxRoomsPerShard',
      options.maxRoomsPerShard,
      DEFAULT_MAX_ROOMS_PER_SHARD,
      1,
    ),
    ringBytes: integer('ringBytes', options.ringBytes, DEFAULT_SHARD_RING_BYTES, 1),
    maxQueuedBytes: integer(
      'maxQueuedBytes',
      options.maxQueuedBytes,
      DEFAULT_SHARD_MAX_QUEUED_BYTES,
      0,
    ),
    requestTimeoutMs: integer(
      'requestTimeoutMs',
      options.requestTimeoutMs,
      DEFAULT_SHARD_REQUEST_TIMEOUT_MS,
      1,
    ),
    maxRestarts: integer('maxRestarts', options.maxRestarts, DEFAULT_SHARD_MAX_RESTARTS, 0),
    periodMs: integer('periodMs', options.periodMs, DEFAULT_SHARD_PERIOD_MS, 1),
    shutdownMs: integer('shutdownMs', options.shutdownMs, DEFAULT_SHARD_SHUTDOWN_MS, 0),
    policyLimits: options.policyLimits ?? DEFAULT_POLICY_LIMITS,
    storage: options.storage ?? null,
  };
}
