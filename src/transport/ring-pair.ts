import { TransportError } from './errors.js';
import { DEFAULT_RING_CAPACITY_BYTES } from './ring-layout.js';
import { SpscRing } from './spsc-ring.js';

/**
 * The two rings of one edge-shard pair, one per direction. Plain SharedArrayBuffers in a plain
 * object, so it crosses to a worker in workerData as is (shared, not copied).
 */
export interface RingPair {
  readonly type: 'ring-pair';
  /** Written by the edge (main thread), read by the shard worker. */
  readonly edgeToShard: SharedArrayBuffer;
  /** Written by the shard worker, read by the edge. */
  readonly shardToEdge: SharedArrayBuffer;
}

export interface RingPairOptions {
  /** Data bytes of each ring, a power of two. Default DEFAULT_RING_CAPACITY_BYTES (1 MiB). */
  readonly capacityBytes?: number;
  /** Largest envelope each ring accepts. Default: half the capacity. */
  readonly maxRecordBytes?: number;
}

export function allocateRingPair(options: RingPairOptions = {}): RingPair {
  const capacity = options.capacityBytes ?? DEFAULT_RING_CAPACITY_BYTES;
  const ringOptions =
    options.maxRecordBytes === undefined ? {} : { maxRecordBytes: options.maxRecordBytes };
  return {
    type: 'ring-pair',
    edgeToShard: SpscRing.allocate(capacity, ringOptions),
    shardToEdge: SpscRing.allocate(capacity, ringOptions),
  };
}

/** Checks a value received in workerData is a RingPair (both rings are validated when opened). */
export function isRingPair(value: unknown): value is RingPair {
  if (typeof value !== 'object' || value === null) return false;
  const pair = value as Partial<RingPair>;
  return (
    pair.type === 'ring-pair' &&
    pair.edgeToShard instanceof SharedArrayBuffer &&
    pair.shardToEdge instanceof SharedArrayBuffer
  );
}

export function assertRingPair(value: unknown): RingPair {
  if (!isRingPair(value)) {
    throw new TransportError(
      'ARQ_ERR_RING_LAYOUT',
      'expected a RingPair ({ type: "ring-pair", edgeToShard, shardToEdge }) from allocateRingPair',
    );
  }
  return value;
}
