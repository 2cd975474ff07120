import HashRing from 'hashring';
import { ShardError } from './shard-error.js';

/**
 * Room key -> shard index by consistent hashing over the node's shards (ARCHITECTURE.md). A
 * shard restart does not move rooms: the ring is over shard slots, not over worker incarnations.
 */
export class ShardPlacement {
  readonly #ring: HashRing;
  readonly #count: number;

  constructor(shards: number) {
    if (!Number.isSafeInteger(shards) || shards < 1) {
      throw new ShardError(
        'ARQ_ERR_SHARD_OPTIONS',
        `options.workers must be a positive integer, got ${shards}`,
      );
    }
    this.#count = shards;
    this.#ring = new HashRing(Array.from({ length: shards }, (_, i) => `shard-${i}`));
  }

  get count(): number {
    return this.#count;
  }

  shardOf(roomKey: string): number {
    if (this.#count === 1) return 0;
    // 'shard-N': the index starts after the 6-character prefix.
    return Number(this.#ring.get(roomKey).slice(6));
  }
}
