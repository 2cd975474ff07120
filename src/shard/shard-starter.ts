import { type Child, workerThreadChild } from '../../supervision/index.js';
import { describeExit } from './describe-error.js';
import { InlineShard } from './inline-shard.js';
import type { PolicyDeployments } from './policy-deployments.js';
import type { ShardPoolEvent } from './shard-delivery.js';
import type { ShardInbox } from './shard-inbox.js';
import type { ResolvedShardPoolOptions } from './shard-pool-options.js';
import type { ShardSlot } from './shard-slot.js';
import type { ShardWorkerData } from './shard-worker-data.js';

const SHARD_WORKER_URL = new URL('./shard-worker.js', import.meta.url);

/**
 * An inline shard's inbound ring is never polled on a timer: the edge's flush wakes it by resolving
 * a promise in this same thread, which costs less than a timer and adds no period of latency (a
 * busy ring polled every ring-linger-ms held each publish up to a millisecond in the hot room).
 */
const INLINE_LINGER_MS = 0;

export interface ShardStarterOptions {
  readonly options: ResolvedShardPoolOptions;
  readonly deployments: PolicyDeployments;
  readonly inbox: ShardInbox;
  /** The pool's event sink (it already guards against an observer that throws). */
  readonly emit: (event: ShardPoolEvent) => void;
  /** True once the pool is stopping: its shards' exits are then expected, not events. */
  readonly stopping: () => boolean;
}

/**
 * Starts a slot's shard for the supervisor, as a worker thread or inline, first start or restart,
 * and watches it until it exits.
 */
export class ShardStarter {
  readonly #options: ResolvedShardPoolOptions;
  readonly #deployments: PolicyDeployments;
  readonly #inbox: ShardInbox;
  readonly #emit: (event: ShardPoolEvent) => void;
  readonly #stopping: () => boolean;

  constructor(init: ShardStarterOptions) {
    this.#options = init.options;
    this.#deployments = init.deployments;
    this.#inbox = init.inbox;
    this.#emit = init.emit;
    this.#stopping = init.stopping;
  }

  async start(slot: ShardSlot): Promise<Child> {
    const restart = slot.starts > 0;
    if (restart) {
      // The previous thread is gone: take what it published, then start both rings afresh.
      slot.channel.drainAvailable((record) => this.#inbox.onRecord(slot, record));
      slot.channel.resetAfterPeerExit();
      slot.failAll('restarted');
    }
    const o = this.#options;
    const data: ShardWorkerData = {
      type: 'arqon:shard',
      shard: slot.index,
      node: o.nodeId,
      pair: slot.pair,
      roomIdleMs: o.roomIdleMs,
      lingerMs: o.inline ? INLINE_LINGER_MS : o.ringLingerMs,
      maxRooms: o.maxRoomsPerShard,
      policyLimits: o.policyLimits,
      policies: this.#deployments.current,
      storage: o.storage,
    };
    // It starts with the current set (workerData), so it holds it once it is ready.
    this.#deployments.started(slot.index);
    this.#emit({ type: 'shard-started', shard: slot.index, restart });
    if (o.inline) {
      const shard = await InlineShard.start(data, (message) =>
        this.#inbox.onMessage(slot, message),
      );
      slot.attach(shard);
      this.#watchExit(slot, shard);
      return shard;
    }
    const child = await workerThreadChild({
      filename: SHARD_WORKER_URL,
      workerData: data,
      // Shards start exactly as under `npm start`, not with a test runner's or debugger's hooks.
      execArgv: [],
      onWorker: (worker) => {
        slot.attach(worker);
        worker.on('message', (message: unknown) => this.#inbox.onMessage(slot, message));
      },
    })();
    this.#watchExit(slot, child);
    return child;
  }

  #watchExit(slot: ShardSlot, child: Child): void {
    void child.exited.then((reason) => {
      slot.detach();
      this.#deployments.settle();
      if (!this.#stopping())
        this.#emit({ type: 'shard-exited', shard: slot.index, reason: describeExit(reason) });
    });
  }
}
