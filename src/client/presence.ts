import { callSafely } from './emitter.js';
import type { PresenceMeta, Presences } from './server-frame.js';

/** One `sub` present in a room, with one meta per connection it has there. */
export interface PresenceGroup {
  readonly sub: string;
  readonly metas: readonly PresenceMeta[];
}

/** `current`: the sub's metas before the join (empty for a newcomer); `joined`: the new ones. */
export type PresenceJoinCallback = (
  sub: string,
  current: readonly PresenceMeta[],
  joined: readonly PresenceMeta[],
) => void;

/** `current`: the sub's metas after the leave (empty: the sub is gone); `left`: those removed. */
export type PresenceLeaveCallback = (
  sub: string,
  current: readonly PresenceMeta[],
  left: readonly PresenceMeta[],
) => void;

export interface PresenceDiff {
  readonly joins: Presences;
  readonly leaves: Presences;
}

type MetasBySub = Map<string, readonly PresenceMeta[]>;

/** A Map, not an object: a sub named `__proto__` must stay a plain key. */
function metasBySub(presences: Presences): MetasBySub {
  const out: MetasBySub = new Map();
  for (const sub of Object.keys(presences)) out.set(sub, presences[sub]!.metas);
  return out;
}

function sameMeta(a: PresenceMeta, b: PresenceMeta): boolean {
  // Metas are decoded JSON from one server codec, so equal metas serialise equally.
  return a.conn === b.conn && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The presence of one room as the server reports it, applied the way Phoenix.Presence's syncState
 * and syncDiff do, with the connection id (`conn`) as each meta's identity where Phoenix uses
 * `phx_ref`:
 *
 * - a join adds its metas to the sub, replacing any meta of the same `conn` (a re-join with a new
 *   meta arrives as a diff that both joins and leaves that `conn`: the join wins);
 * - a leave removes only the metas whose `conn` left; a sub with no metas left is gone;
 * - a full state (`syncState`, e.g. after a reconnect) replaces everything, reporting as leaves
 *   the metas that are no longer there and as joins the new or changed ones.
 */
export class Presence {
  readonly #state = new Map<string, readonly PresenceMeta[]>();
  readonly #joins = new Set<PresenceJoinCallback>();
  readonly #leaves = new Set<PresenceLeaveCallback>();
  readonly #syncs = new Set<() => void>();

  /** Calls `callback` for each join; returns a function that removes it. */
  onJoin(callback: PresenceJoinCallback): () => void {
    this.#joins.add(callback);
    return () => this.#joins.delete(callback);
  }

  onLeave(callback: PresenceLeaveCallback): () => void {
    this.#leaves.add(callback);
    return () => this.#leaves.delete(callback);
  }

  /** Called once after every applied state or diff, when `list()` is up to date. */
  onSync(callback: () => void): () => void {
    this.#syncs.add(callback);
    return () => this.#syncs.delete(callback);
  }

  /** Every sub present, in the order they first appeared. */
  list(): PresenceGroup[];
  list<T>(chooser: (sub: string, metas: readonly PresenceMeta[]) => T): T[];
  list<T>(chooser?: (sub: string, metas: readonly PresenceMeta[]) => T): (T | PresenceGroup)[] {
    const out: (T | PresenceGroup)[] = [];
    for (const [sub, metas] of this.#state)
      out.push(chooser === undefined ? { sub, metas } : chooser(sub, metas));
    return out;
  }

  /** The metas of one sub; empty when it is not present. */
  get(sub: string): readonly PresenceMeta[] {
    return this.#state.get(sub) ?? [];
  }

  /** The number of subs present. */
  get size(): number {
    return this.#state.size;
  }

  /** Applies a `presence_state`: the new full view of the room. */
  syncState(presences: Presences): void {
    const next = metasBySub(presences);
    const joins: MetasBySub = new Map();
    const leaves: MetasBySub = new Map();
    for (const [sub, metas] of this.#state) {
      const conns = new Set((next.get(sub) ?? []).map((meta) => meta.conn));
      const left = metas.filter((meta) => !conns.has(meta.conn));
      if (left.length > 0) leaves.set(sub, left);
    }
    for (const [sub, metas] of next) {
      const current = this.#state.get(sub) ?? [];
      const joined = metas.filter((meta) => !current.some((known) => sameMeta(known, meta)));
      if (joined.length > 0) joins.set(sub, joined);
    }
    this.#apply(joins, leaves);
  }

  /** Applies a `presence_diff`. */
  syncDiff(diff: PresenceDiff): void {
    this.#apply(metasBySub(diff.joins), metasBySub(diff.leaves));
  }

  /** Forgets everything, reporting every meta as a leave (e.g. after leaving the room). */
  clear(): void {
    this.syncState({});
  }

  #apply(joins: MetasBySub, leaves: MetasBySub): void {
    for (const [sub, joined] of joins) {
      if (joined.length === 0) continue;
      const conns = new Set(joined.map((meta) => meta.conn));
      const current = this.#state.get(sub) ?? [];
      this.#state.set(sub, [...current.filter((meta) => !conns.has(meta.conn)), ...joined]);
      for (const callback of [...this.#joins]) callSafely(callback, sub, current, joined);
    }
    for (const [sub, leaving] of leaves) {
      const current = this.#state.get(sub);
      if (current === undefined) continue;
      // A conn both joined and left in one diff was re-joined with a new meta: the join stands.
      const rejoined = new Set((joins.get(sub) ?? []).map((meta) => meta.conn));
      const conns = new Set(leaving.map((meta) => meta.conn).filter((conn) => !rejoined.has(conn)));
      const left = current.filter((meta) => conns.has(meta.conn));
      if (left.length === 0) continue;
      const remaining = current.filter((meta) => !conns.has(meta.conn));
      if (remaining.length === 0) this.#state.delete(sub);
      else this.#state.set(sub, remaining);
      for (const callback of [...this.#leaves]) callSafely(callback, sub, remaining, left);
    }
    for (const callback of [...this.#syncs]) callSafely(callback);
  }
}
