import { PresenceError, quote } from './errors.js';
import { metaProblem } from './json-meta.js';
import { LocalEntries } from './local-entries.js';
import type { PresenceDelta } from './presence-delta.js';
import { ChangeCollector, type PresenceChanges } from './presence-diff.js';
import type { PresenceEntry, PresenceMeta } from './presence-entry.js';
import { type Presences, presencesOf } from './presence-view.js';
import { compareIncarnations, type ReplicaId, replicaKey, replicaOf } from './replica.js';
import { ReplicaStore } from './replica-store.js';
import { TopicIndex } from './topic-index.js';

export interface PresenceStateOptions {
  /** This node's replica: the only writer of the entries it joins. */
  readonly replica: ReplicaId;
}

/**
 * How this state regards a replica: `self`; `stale` (an older incarnation of a node whose newer one
 * was seen, or another incarnation of this node); `purged` (until `replicaUp`); `up` / `down`
 * (known; a down replica's entries are kept but hidden); `unknown`.
 */
export type ReplicaStatus = 'self' | 'stale' | 'purged' | 'up' | 'down' | 'unknown';

/** `applied`, or why the payload was ignored. */
export type MergeOutcome = 'applied' | 'self' | 'stale' | 'purged';

export interface MergeResult {
  readonly outcome: MergeOutcome;
  /** The view changes the merge made (none while the sender is down). */
  readonly changes: PresenceChanges;
  /**
   * True when writes of the sender are missing below ones already received: deltas were lost, or
   * are still in flight (reordered); until they come, the view may hold entries they removed.
   * When the gap persists the cluster layer pulls `extractState()` from the sender;
   * `needsFullState` asks the same question later.
   */
  readonly gap: boolean;
}

export interface ReplicaInfo {
  readonly replica: ReplicaId;
  readonly status: 'up' | 'down';
  /** Every write of the replica up to this clock was received. */
  readonly clock: number;
  readonly hasGaps: boolean;
  readonly entries: number;
}

interface RemoteReplica {
  readonly store: ReplicaStore;
  up: boolean;
}

/**
 * The presence tracker's state: a delta-state CRDT in the way of Phoenix.Tracker. The local replica
 * writes its entries with `join` / `leave` / `leaveConn`; every write spends one dot of its clock
 * (a leave too, so that a lost leave shows as a gap) and accumulates into a pending delta
 * (`takeDelta`). Remote replicas' deltas and states come in through `merge`, a lattice join per
 * replica. Every operation returns the view changes it made, for `presence_diff`.
 *
 * Pure data structure: no I/O, no timers; liveness decisions (`replicaDown`, `purge`) come from the
 * cluster layer.
 */
export class PresenceState {
  readonly #self: ReplicaId;
  readonly #local: ReplicaStore;
  #pending: ReplicaStore;
  #clock = 0;
  /** conn -> topic -> this replica's own entry. */
  readonly #byConn = new LocalEntries();
  readonly #remotes = new Map<string, RemoteReplica>();
  /** node -> the newest incarnation seen; older ones are stale. */
  readonly #latest = new Map<string, string>();
  /** Purged replicas not yet superseded by a newer incarnation; their payloads are ignored. */
  readonly #purged = new Set<string>();
  readonly #view = new TopicIndex();

  constructor(options: PresenceStateOptions) {
    const replica: unknown = options?.replica;
    if (typeof replica !== 'object' || replica === null) {
      throw optionError(`options.replica must be { node, incarnation }, got ${quote(replica)}`);
    }
    const { node, incarnation } = replica as Record<string, unknown>;
    if (typeof node !== 'string' || node.length === 0) {
      throw optionError(`options.replica.node must be a non-empty string, got ${quote(node)}`);
    }
    if (typeof incarnation !== 'string' || incarnation.length === 0) {
      throw optionError(
        `options.replica.incarnation must be a non-empty string, got ${quote(incarnation)}`,
      );
    }
    this.#self = { node, incarnation };
    this.#local = new ReplicaStore(this.#self);
    this.#pending = new ReplicaStore(this.#self);
  }

  get replica(): ReplicaId {
    return replicaOf(this.#self);
  }

  /** The local replica's clock: the number of dots spent so far (what heartbeats advertise). */
  get clock(): number {
    return this.#clock;
  }

  /** The number of visible entries (connections in topics) over all topics. */
  get size(): number {
    return this.#view.size;
  }

  /**
   * Puts local connection `conn` in `topic` as `key`. Joining again with another key or meta
   * replaces the entry (a leave and a join in the changes) and keeps its first `onlineAt`; joining
   * again with the same key and meta changes nothing. `meta` is kept as given: do not mutate it.
   */
  join(
    topic: string,
    key: string,
    conn: string,
    meta: PresenceMeta,
    onlineAt: number,
  ): PresenceChanges {
    checkName(topic, 'topic');
    checkName(key, 'key');
    checkName(conn, 'conn');
    const problem = metaProblem(meta);
    if (problem !== null) throw argumentError(`meta ${problem}`);
    if (typeof onlineAt !== 'number' || !Number.isFinite(onlineAt)) {
      throw argumentError(`onlineAt must be a finite number, got ${quote(onlineAt)}`);
    }
    const changes = new ChangeCollector();
    const old = this.#byConn.get(conn, topic);
    let since = onlineAt;
    if (old !== undefined) {
      // Metas come from decoded JSON, so equal metas serialise equally.
      if (old.key === key && JSON.stringify(old.meta) === JSON.stringify(meta)) {
        return changes.build();
      }
      this.#removeLocal(old, changes);
      since = old.onlineAt;
    }
    const entry: PresenceEntry = {
      topic,
      key,
      conn,
      node: this.#self.node,
      incarnation: this.#self.incarnation,
      clock: ++this.#clock,
      onlineAt: since,
      meta,
    };
    this.#local.insert(entry);
    this.#pending.insert(entry);
    this.#byConn.add(entry);
    this.#show(entry, changes);
    return changes.build();
  }

  /** Takes local connection `conn` out of `topic`; nothing happens if it is not there. */
  leave(topic: string, conn: string): PresenceChanges {
    const changes = new ChangeCollector();
    const entry = this.#byConn.get(conn, topic);
    if (entry !== undefined) {
      this.#removeLocal(entry, changes);
      this.#spendDot();
    }
    return changes.build();
  }

  /** Takes a disconnected local connection out of every topic it was in. */
  leaveConn(conn: string): PresenceChanges {
    const changes = new ChangeCollector();
    const entries = this.#byConn.of(conn);
    if (entries.length > 0) {
      for (const entry of entries) this.#removeLocal(entry, changes);
      this.#spendDot();
    }
    return changes.build();
  }

  /** The local writes since the last call, as a delta to broadcast; null when there were none. */
  takeDelta(): PresenceDelta | null {
    if (this.#pending.context.isEmpty) return null;
    const delta = this.#pending.toDelta();
    this.#pending = new ReplicaStore(this.#self);
    return delta;
  }

  /** The local replica's full state, for a peer that detected a gap (request/reply). */
  extractState(): PresenceDelta {
    return this.#local.toDelta();
  }

  /**
   * Merges a remote replica's delta or state (parsed with `parsePresenceDelta`). A newer
   * incarnation of a known node first removes the older one's entries (reported as leaves).
   */
  merge(delta: PresenceDelta): MergeResult {
    const replica: ReplicaId = { node: delta.node, incarnation: delta.incarnation };
    const changes = new ChangeCollector();
    const standing = this.#admit(replica, changes);
    if (standing !== 'current') return { outcome: standing, changes: changes.build(), gap: false };
    const key = replicaKey(replica);
    if (this.#purged.has(key)) return { outcome: 'purged', changes: changes.build(), gap: false };
    const remote = this.#remote(replica, key, true);
    const { added, removed } = remote.store.join(delta);
    if (remote.up) {
      for (const entry of removed) this.#hide(entry, changes);
      for (const entry of added) this.#show(entry, changes);
    }
    return { outcome: 'applied', changes: changes.build(), gap: remote.store.covered.hasGaps };
  }

  /**
   * True when this state misses writes of `replica`: a gap in what it received, or fewer than the
   * replica's clock advertises (e.g. in a heartbeat) so that a lost last delta is noticed too.
   */
  needsFullState(replica: ReplicaId, advertisedClock = 0): boolean {
    const status = this.replicaStatus(replica);
    if (status === 'self' || status === 'stale' || status === 'purged') return false;
    const covered = this.#remotes.get(replicaKey(replica))?.store.covered;
    if (covered === undefined) return advertisedClock > 0;
    return covered.hasGaps || advertisedClock > covered.contiguous;
  }

  /** Hides a silent replica's entries (reported as leaves); merges into it go on, unseen. */
  replicaDown(replica: ReplicaId): PresenceChanges {
    const changes = new ChangeCollector();
    if (this.#admit(replica, changes) !== 'current') return changes.build();
    const key = replicaKey(replica);
    if (this.#purged.has(key)) return changes.build();
    const remote = this.#remote(replica, key, false);
    if (remote.up) {
      remote.up = false;
      for (const entry of remote.store.entries()) this.#hide(entry, changes);
    }
    return changes.build();
  }

  /** Shows a replica's entries again (reported as joins); also lifts a purge. */
  replicaUp(replica: ReplicaId): PresenceChanges {
    const changes = new ChangeCollector();
    if (this.#admit(replica, changes) !== 'current') return changes.build();
    const key = replicaKey(replica);
    this.#purged.delete(key);
    const remote = this.#remote(replica, key, true);
    if (!remote.up) {
      remote.up = true;
      for (const entry of remote.store.entries()) this.#show(entry, changes);
    }
    return changes.build();
  }

  /** Forgets a replica's entries for good; its payloads are ignored until `replicaUp`. */
  purge(replica: ReplicaId): PresenceChanges {
    const changes = new ChangeCollector();
    if (this.#admit(replica, changes) !== 'current') return changes.build();
    const key = replicaKey(replica);
    this.#drop(key, changes);
    this.#purged.add(key);
    return changes.build();
  }

  replicaStatus(replica: ReplicaId): ReplicaStatus {
    if (replica.node === this.#self.node) {
      return replica.incarnation === this.#self.incarnation ? 'self' : 'stale';
    }
    const latest = this.#latest.get(replica.node);
    if (latest !== undefined && compareIncarnations(replica.incarnation, latest) < 0)
      return 'stale';
    const key = replicaKey(replica);
    if (this.#purged.has(key)) return 'purged';
    const remote = this.#remotes.get(key);
    if (remote === undefined) return 'unknown';
    return remote.up ? 'up' : 'down';
  }

  /** The remote replicas this state holds (not the purged ones). */
  replicas(): ReplicaInfo[] {
    return [...this.#remotes.values()].map(({ store, up }) => ({
      replica: replicaOf(store.replica),
      status: up ? 'up' : 'down',
      clock: store.covered.contiguous,
      hasGaps: store.covered.hasGaps,
      entries: store.size,
    }));
  }

  /** The visible presences of `topic` in the PROTOCOL `presences` shape (for `presence_state`). */
  list(topic: string): Presences {
    return presencesOf(this.entries(topic));
  }

  /** The visible entries of `topic`, grouped by key. */
  entries(topic: string): PresenceEntry[] {
    return this.#view.entries(topic);
  }

  /** Topics with at least one visible entry. */
  topics(): string[] {
    return this.#view.topics();
  }

  /** Visible connections in `topic`. */
  connectionCount(topic: string): number {
    return this.#view.connectionCount(topic);
  }

  /** Visible distinct keys (subs) in `topic`. */
  keyCount(topic: string): number {
    return this.#view.keyCount(topic);
  }

  /**
   * 'current' when `replica` may be acted on. A newer incarnation than the one known for its node
   * replaces it here: the old one's entries are reported as leaves and dropped.
   */
  #admit(replica: ReplicaId, changes: ChangeCollector): 'current' | 'self' | 'stale' {
    if (replica.node === this.#self.node) {
      return replica.incarnation === this.#self.incarnation ? 'self' : 'stale';
    }
    const latest = this.#latest.get(replica.node);
    if (latest !== undefined) {
      const order = compareIncarnations(replica.incarnation, latest);
      if (order < 0) return 'stale';
      if (order > 0) {
        const oldKey = replicaKey({ node: replica.node, incarnation: latest });
        this.#drop(oldKey, changes);
        this.#purged.delete(oldKey); // the incarnation order now keeps it out
      }
    }
    this.#latest.set(replica.node, replica.incarnation);
    return 'current';
  }

  #remote(replica: ReplicaId, key: string, up: boolean): RemoteReplica {
    let remote = this.#remotes.get(key);
    if (remote === undefined) {
      remote = { store: new ReplicaStore(replicaOf(replica)), up };
      this.#remotes.set(key, remote);
    }
    return remote;
  }

  #drop(key: string, changes: ChangeCollector): void {
    const remote = this.#remotes.get(key);
    if (remote === undefined) return;
    if (remote.up) for (const entry of remote.store.entries()) this.#hide(entry, changes);
    this.#remotes.delete(key);
  }

  #removeLocal(entry: PresenceEntry, changes: ChangeCollector): void {
    this.#local.remove(entry.clock);
    this.#pending.remove(entry.clock);
    this.#byConn.remove(entry);
    this.#hide(entry, changes);
  }

  /** A leave spends a dot of its own, so that a receiver that lost it sees a gap. */
  #spendDot(): void {
    const dot = ++this.#clock;
    this.#local.spend(dot);
    this.#pending.spend(dot);
  }

  #show(entry: PresenceEntry, changes: ChangeCollector): void {
    if (this.#view.add(entry)) changes.join(entry);
  }

  #hide(entry: PresenceEntry, changes: ChangeCollector): void {
    if (this.#view.delete(entry)) changes.leave(entry);
  }
}

function optionError(message: string): PresenceError {
  return new PresenceError('ARQ_ERR_PRESENCE_OPTIONS', message);
}

function argumentError(message: string): PresenceError {
  return new PresenceError('ARQ_ERR_PRESENCE_ARGUMENT', message);
}

function checkName(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw argumentError(`${name} must be a non-empty string, got ${quote(value)}`);
  }
}
