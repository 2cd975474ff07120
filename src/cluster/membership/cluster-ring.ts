import HashRing from 'hashring';
import { ClusterError, quote } from '../base/index.js';

/** Points per member on the ring: hashring's ketama default (40 vnodes x 4 replicas = 160). */
export const RING_VNODES = 40;

/**
 * Room key -> owner node by consistent hashing (`hashring`, ketama/md5) over the live members.
 * Every node that sees the same member set computes the same owner, whatever order it learnt the
 * members in: the ring depends only on the set.
 *
 * Each member is given its vnode count explicitly. hashring's own default computes a member's
 * points as floor(weight share x vnodes x members), which floating point rounds to 39 instead of
 * 40 for some cluster sizes (7, 14, 28, ...): a membership change would then also move points of
 * members that stayed, and rooms with them. With explicit counts a member's points depend on its
 * name only, so removing a member moves only its rooms and adding one moves rooms only to it.
 */
export class ClusterRing {
  readonly #members: readonly string[];
  readonly #ring: HashRing | null;

  constructor(members: Iterable<string>) {
    const unique = new Set<string>();
    for (const member of members) {
      if (typeof member !== 'string' || member.length === 0) {
        throw new ClusterError(
          'ARQ_ERR_CLUSTER_OPTIONS',
          `members must be non-empty strings, got ${quote(member)}`,
        );
      }
      unique.add(member);
    }
    this.#members = [...unique].sort();
    if (this.#members.length === 0) {
      this.#ring = null;
      return;
    }
    const servers: Record<string, { vnodes: number }> = {};
    for (const member of this.#members) servers[member] = { vnodes: RING_VNODES };
    // 'vnode count' differs from every member's count so that hashring uses the explicit counts
    // (it falls back to its formula when a member's count equals the default).
    this.#ring = new HashRing(servers, 'md5', { 'vnode count': RING_VNODES + 1 });
  }

  /** The members, sorted. */
  get members(): readonly string[] {
    return this.#members;
  }

  get size(): number {
    return this.#members.length;
  }

  has(member: string): boolean {
    return this.#ring !== null && this.#members.includes(member);
  }

  /** The node that owns `key` (a room key `tenant|room`). */
  ownerOf(key: string): string {
    if (this.#ring === null) {
      throw new ClusterError('ARQ_ERR_CLUSTER_EMPTY_RING', `no member can own ${quote(key)}`);
    }
    return this.#ring.get(key);
  }

  /** True when this ring and `other` have the same members (and so place every key alike). */
  sameMembers(other: ClusterRing): boolean {
    const a = this.#members;
    const b = other.#members;
    return a.length === b.length && a.every((member, i) => member === b[i]);
  }
}

/** Where a key's owner went when the member set changed from one ring to the next. */
export interface OwnerMove {
  readonly from: string | null;
  readonly to: string | null;
}

/**
 * The change between two rings for one key: null when its owner stayed, else who owned it before
 * and who owns it now (null on the side of an empty ring). The caller asks per room it holds, so a
 * membership change costs one lookup per local room, not per room of the cluster.
 */
export function ownerMove(before: ClusterRing, after: ClusterRing, key: string): OwnerMove | null {
  const from = before.size === 0 ? null : before.ownerOf(key);
  const to = after.size === 0 ? null : after.ownerOf(key);
  return from === to ? null : { from, to };
}

/** True when `key`'s owner differs between the member sets `before` and `after`. */
export function ownerChanged(before: ClusterRing, after: ClusterRing, key: string): boolean {
  return ownerMove(before, after, key) !== null;
}
