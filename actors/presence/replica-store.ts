import { CausalContext } from './causal-context.js';
import type { PresenceDelta, PresenceDeltaEntry } from './presence-delta.js';
import type { PresenceEntry } from './presence-entry.js';
import type { ReplicaId } from './replica.js';

/** What a join changed in a store: entries that appeared and entries that went away. */
export interface StoreChanges {
  readonly added: readonly PresenceEntry[];
  readonly removed: readonly PresenceEntry[];
}

/**
 * The entries of one replica as some store knows them: a dot store with its causal context, plus
 * the writer's clocks whose deltas it received in full (`covered`; a hole there is a lost delta,
 * see `PresenceDelta`). `join` is the lattice join of delta-state CRDTs (an add-wins
 * observed-remove set):
 *
 *   entries = (E1 ∩ E2) ∪ (E1 \ C2) ∪ (E2 \ C1),   context = C1 ∪ C2,   covered = V1 ∪ V2
 *
 * An entry survives unless the other side has seen its dot and no longer has it; an unseen entry
 * is added. That is commutative, associative and idempotent, so deltas may come in any order, twice,
 * or be coalesced. The writer itself mutates its store with `insert` / `remove` / `spend`.
 */
export class ReplicaStore {
  readonly #replica: ReplicaId;
  readonly #entries = new Map<number, PresenceEntry>();
  #context = CausalContext.empty();
  #covered = CausalContext.empty();

  constructor(replica: ReplicaId) {
    this.#replica = replica;
  }

  /** A store holding exactly `delta` (trusted: parsed by `parsePresenceDelta` or built here). */
  static fromDelta(delta: PresenceDelta): ReplicaStore {
    const store = new ReplicaStore({ node: delta.node, incarnation: delta.incarnation });
    store.join(delta);
    return store;
  }

  get replica(): ReplicaId {
    return this.#replica;
  }

  get context(): CausalContext {
    return this.#context;
  }

  /** The writer's clocks whose writes this store holds in full. */
  get covered(): CausalContext {
    return this.#covered;
  }

  get size(): number {
    return this.#entries.size;
  }

  entries(): IterableIterator<PresenceEntry> {
    return this.#entries.values();
  }

  get(clock: number): PresenceEntry | undefined {
    return this.#entries.get(clock);
  }

  /** Lattice join of `delta` (of this store's replica) into this store. */
  join(delta: PresenceDelta): StoreChanges {
    const remoteContext = CausalContext.fromRanges(delta.context);
    const remoteClocks = new Set<number>();
    for (const e of delta.entries) remoteClocks.add(e.clock);

    const removed: PresenceEntry[] = [];
    const dropIfGone = (clock: number): void => {
      const local = this.#entries.get(clock);
      if (local !== undefined && !remoteClocks.has(clock)) {
        this.#entries.delete(clock);
        removed.push(local);
      }
    };
    // Walk whichever is smaller: a full state's context can span millions of dots.
    if (remoteContext.size < this.#entries.size) {
      for (const clock of remoteContext.dots()) dropIfGone(clock);
    } else {
      for (const clock of [...this.#entries.keys()]) {
        if (remoteContext.has(clock)) dropIfGone(clock);
      }
    }

    const added: PresenceEntry[] = [];
    for (const e of delta.entries) {
      if (this.#context.has(e.clock)) continue; // present already, or seen removed
      const entry = this.#entryOf(e);
      this.#entries.set(e.clock, entry);
      added.push(entry);
    }
    this.#context.union(remoteContext);
    this.#covered.union(CausalContext.fromRanges(delta.covers));
    return { added, removed };
  }

  /** The writer adds a new entry, spending its clock (a fresh dot). */
  insert(entry: PresenceEntry): void {
    this.#entries.set(entry.clock, entry);
    this.spend(entry.clock);
  }

  /** The writer removes the entry of an older dot (if this store has it): the dot stays seen. */
  remove(clock: number): void {
    this.#entries.delete(clock);
    this.#context.add(clock);
  }

  /** The writer spends a fresh dot without an entry (a leave), so that its loss shows as a gap. */
  spend(dot: number): void {
    this.#context.add(dot);
    this.#covered.add(dot);
  }

  /** This store as a plain payload: entries sorted by clock, context as ranges. */
  toDelta(): PresenceDelta {
    const entries: PresenceDeltaEntry[] = [];
    for (const e of this.#entries.values()) {
      entries.push({
        clock: e.clock,
        topic: e.topic,
        key: e.key,
        conn: e.conn,
        onlineAt: e.onlineAt,
        meta: e.meta,
      });
    }
    entries.sort((a, b) => a.clock - b.clock);
    return {
      node: this.#replica.node,
      incarnation: this.#replica.incarnation,
      context: this.#context.ranges(),
      covers: this.#covered.ranges(),
      entries,
    };
  }

  #entryOf(e: PresenceDeltaEntry): PresenceEntry {
    return {
      topic: e.topic,
      key: e.key,
      conn: e.conn,
      node: this.#replica.node,
      incarnation: this.#replica.incarnation,
      clock: e.clock,
      onlineAt: e.onlineAt,
      meta: e.meta,
    };
  }
}
