import { PresenceCoalescer } from './presence-coalescer.js';
import type { PresenceChanges, PresenceDiffBody } from './presence-diff.js';
import type { PresenceMeta } from './presence-entry.js';
import { PresenceState } from './presence-state.js';
import type { Presences } from './presence-view.js';
import type { ReplicaId } from './replica.js';

/** Where a tracker's visible changes go (the edge publishes them to the room's members). */
export interface PresenceOutput {
  diff(topic: string, body: PresenceDiffBody): void;
}

export interface PresenceTrackerOptions {
  readonly replica: ReplicaId;
  readonly output: PresenceOutput;
  /**
   * A topic's changes within this period after one went out are sent together as one diff
   * (PresenceCoalescer); 0 sends each at once. The node's default is presence-coalesce-ms's.
   */
  readonly coalesceMs: number;
}

/**
 * The node's presence: its replica of the CRDT plus the fan-out of every visible change as a
 * `presence_diff` body per topic, coalesced per period. Local joins and leaves go through here; so will remote deltas
 * (cluster gossip), which is why changes are emitted from one place whatever their origin.
 */
export class PresenceTracker {
  readonly #state: PresenceState;
  readonly #coalescer: PresenceCoalescer;
  /** Bumped on every visible change of any topic; a topic's entry is the count at its last one. */
  #changeCount = 0;
  readonly #generations = new Map<string, number>();

  constructor(options: PresenceTrackerOptions) {
    this.#state = new PresenceState({ replica: options.replica });
    const output = options.output;
    this.#coalescer = new PresenceCoalescer({
      periodMs: options.coalesceMs,
      sink: (topic, body) => output.diff(topic, body),
    });
  }

  get state(): PresenceState {
    return this.#state;
  }

  join(topic: string, key: string, conn: string, meta: PresenceMeta, onlineAt: number): void {
    this.#emit(this.#state.join(topic, key, conn, meta, onlineAt));
  }

  leave(topic: string, conn: string): void {
    this.#emit(this.#state.leave(topic, conn));
  }

  leaveConn(conn: string): void {
    this.#emit(this.#state.leaveConn(conn));
  }

  list(topic: string): Presences {
    return this.#state.list(topic);
  }

  has(topic: string): boolean {
    return this.#state.connectionCount(topic) > 0;
  }

  /** Publishes the changes a merge, a replica going down or a purge produced. */
  emit(changes: PresenceChanges): void {
    this.#emit(changes);
  }

  /**
   * A number that changes whenever `topic`'s visible presences do (0 while it has none), so that
   * what is built from `list(topic)` can be reused until then (PresenceStateFrames).
   */
  generation(topic: string): number {
    return this.#generations.get(topic) ?? 0;
  }

  /** Calls `then` once every change of `topic` so far has been sent (PresenceCoalescer). */
  afterPending(topic: string, then: () => void): void {
    this.#coalescer.afterPending(topic, then);
  }

  /** Sends what is still being coalesced (the node is stopping). */
  flush(): void {
    this.#coalescer.flushAll();
  }

  #emit(changes: PresenceChanges): void {
    for (const [topic, topicChanges] of changes) {
      if (topicChanges.joins.length === 0 && topicChanges.leaves.length === 0) continue;
      if (this.#state.connectionCount(topic) === 0) this.#generations.delete(topic);
      else this.#generations.set(topic, ++this.#changeCount);
    }
    this.#coalescer.push(changes);
  }
}
