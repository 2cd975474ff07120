import { PresenceError } from './errors.js';

/**
 * One life of one node: the node id plus an incarnation that changes on every restart. A replica is
 * the only writer of its own presence entries.
 *
 * Incarnations of one node must sort in start order under plain string comparison, so that a late
 * message from a dead incarnation can be told from one of its successor: `formatIncarnation` makes
 * such strings.
 */
export interface ReplicaId {
  readonly node: string;
  readonly incarnation: string;
}

/** Width of a base-36 Number.MAX_SAFE_INTEGER ("2gosa7pa2gv"): keeps start times fixed-width. */
const INCARNATION_TIME_WIDTH = 11;

/**
 * An incarnation string that sorts after every incarnation the node had before, given a start time
 * that does not go backwards; `nonce` (e.g. a few random characters) separates two starts within
 * the same millisecond.
 */
export function formatIncarnation(startedAtMs: number, nonce: string): string {
  if (!Number.isSafeInteger(startedAtMs) || startedAtMs < 0) {
    throw new PresenceError(
      'ARQ_ERR_PRESENCE_ARGUMENT',
      `startedAtMs must be a non-negative safe integer, got ${startedAtMs}`,
    );
  }
  return `${startedAtMs.toString(36).padStart(INCARNATION_TIME_WIDTH, '0')}-${nonce}`;
}

/** Negative when `a` is an older incarnation than `b`, positive when newer, 0 when the same. */
export function compareIncarnations(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A map key for a replica; NUL cannot be confused with a character of a node id. */
export function replicaKey(replica: ReplicaId): string {
  return `${replica.node}\u0000${replica.incarnation}`;
}

export function sameReplica(a: ReplicaId, b: ReplicaId): boolean {
  return a.node === b.node && a.incarnation === b.incarnation;
}

/** A fresh plain `{ node, incarnation }`, so that callers' objects are never kept. */
export function replicaOf(replica: ReplicaId): ReplicaId {
  return { node: replica.node, incarnation: replica.incarnation };
}
