import { WireError } from '../../proto/wire/index.js';
import type { Child } from '../../supervision/index.js';
import type { LocalRooms } from '../cluster/index.js';
import type { NodeConfig } from '../config/index.js';
import type { PolicyLimits, RunnerPolicy } from '../policy/index.js';
import { type ShardDelivery, ShardPool, type ShardPoolEvent } from '../shard/index.js';
import { poolRooms } from './pool-rooms.js';
import { roomStorageOption } from './room-storage-option.js';

export interface NodeShardsOptions {
  readonly config: NodeConfig;
  readonly policyLimits: PolicyLimits;
  readonly onDelivery: (delivery: ShardDelivery) => void;
  readonly onEvent: (event: ShardPoolEvent) => void;
  /** A whole new pool has started in place of a failed one: it has no rooms. */
  readonly onNewPool: () => void;
}

/**
 * The node's shard pool across restarts: the root supervisor starts a new ShardPool after a crash
 * loop, and everything else reaches whichever instance is current through this.
 */
export class NodeShards {
  readonly #options: NodeShardsOptions;
  #pool: ShardPool | null = null;
  /** The set the shards hold, handed to a pool that starts afresh. */
  #deployed: readonly RunnerPolicy[] = [];

  /** This node's own rooms: whichever pool instance is current. */
  readonly rooms: LocalRooms = poolRooms(() => this.#pool);

  constructor(options: NodeShardsOptions) {
    this.#options = options;
  }

  /** The pool instance now in place, or null before the first start. */
  get current(): ShardPool | null {
    return this.#pool;
  }

  deployPolicies(policies: readonly RunnerPolicy[]): Promise<void> {
    this.#deployed = policies;
    return this.#pool?.deployPolicies(policies) ?? Promise.resolve();
  }

  /** The root supervisor's `start` of its `shards` child. */
  async start(): Promise<Child> {
    const restart = this.#pool !== null;
    const config = this.#options.config;
    const pool = new ShardPool({
      workers: config.workers,
      nodeId: config.nodeId,
      roomIdleMs: config.roomIdleMs,
      ringLingerMs: config.ringLingerMs,
      onDelivery: this.#options.onDelivery,
      onEvent: this.#options.onEvent,
      policyLimits: this.#options.policyLimits,
      ...roomStorageOption(config),
    });
    this.#pool = pool;
    if (this.#deployed.length > 0) void pool.deployPolicies(this.#deployed);
    await pool.start();
    // A whole new pool has no rooms: every member joins again.
    if (restart) this.#options.onNewPool();
    return pool;
  }

  /** Live rooms over every shard; a shard restarting right now counts as 0. */
  async countRooms(): Promise<number> {
    const pool = this.#pool;
    if (pool === null) return 0;
    const counts = await Promise.all(
      Array.from({ length: pool.workers }, (_, shard) =>
        pool.stats(shard).then(
          (stats) => stats.rooms,
          () => 0,
        ),
      ),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }

  /** --chaos: terminates one shard (a random one for null); returns it, or null when not running. */
  killWorker(shard: number | null): number | null {
    const pool = this.#pool;
    if (pool === null) return null;
    if (shard !== null && shard >= pool.workers) {
      throw new WireError('bad_frame', `shard: must be 0..${pool.workers - 1}, got ${shard}`);
    }
    const target = shard ?? Math.floor(Math.random() * pool.workers);
    return pool.killShard(target) ? target : null;
  }
}
