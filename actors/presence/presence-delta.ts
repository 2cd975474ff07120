import type { ClockRange } from './causal-context.js';
import type { PresenceMeta } from './presence-entry.js';

/** One entry on the wire; the writer's node and incarnation are those of the enclosing delta. */
export interface PresenceDeltaEntry {
  readonly clock: number;
  readonly topic: string;
  readonly key: string;
  readonly conn: string;
  readonly onlineAt: number;
  readonly meta: PresenceMeta;
}

/**
 * A delta-state of ONE replica, plain and JSON-serialisable: the dots it knows (`context`) and the
 * entries among them that are still present. A dot in `context` without an entry was removed.
 * `covers` names the spans of the writer's clock whose writes it holds in full: a delta covers the
 * clocks spent since the previous delta, a full state covers `[1, clock]` (see `isFullState`), and
 * a receiver merges both the same way.
 *
 * The two differ because a delta's `context` also holds the dots of older entries it removed: a
 * receiver that lost the delta of dot 2 (which replaced entry 1) and then gets the one removing
 * entry 2 has seen dots 1, 2 and 3 but still shows entry 1. Only `covers` ({1}, {3}) shows the gap.
 *
 * Each payload speaks for one replica only (its writer) because a replica is the only writer of its
 * entries: no node relays another's entries, so a purged or restarted replica cannot come back as a
 * ghost through a third node.
 */
export interface PresenceDelta {
  readonly node: string;
  readonly incarnation: string;
  /** Sorted, disjoint, non-adjacent inclusive clock ranges of the dots known. */
  readonly context: readonly ClockRange[];
  /** The same form: the writer's clocks whose writes are all here. Inside `context`. */
  readonly covers: readonly ClockRange[];
  /** Sorted by clock; every clock lies in `context`. */
  readonly entries: readonly PresenceDeltaEntry[];
}

/** True when the payload covers every clock from 1 up: it is the writer's whole state then. */
export function isFullState(delta: PresenceDelta): boolean {
  if (delta.covers.length === 0) return delta.context.length === 0;
  return delta.covers.length === 1 && delta.covers[0]![0] === 1;
}
