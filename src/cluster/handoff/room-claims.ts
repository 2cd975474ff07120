import { ClusterRing } from '../membership/index.js';

/** The heartbeat payload part carrying a node's claim: `{ "rooms": { "ring": ["a", "b"] } }`. */
export const CLAIM_PAYLOAD_PART = 'rooms';

/**
 * Which rooms each peer may still hold: the ring it last said it serves by (its heartbeats carry
 * it). A node keeps announcing the ring it had BEFORE a membership change until every room that
 * change moved away from it has been handed over, so "peer P's ring places room R on P" means "P
 * may still have R, or be about to hand it over". A new owner holds such a room until P lets go
 * (see HandoffInbox). A peer that announces nothing (still joining) claims nothing.
 */
export class PeerClaims {
  readonly #rings = new Map<string, ClusterRing>();

  /** Takes a peer's heartbeat payload part; true when its claim changed. */
  update(node: string, part: unknown): boolean {
    const members = claimedMembers(part);
    const known = this.#rings.get(node);
    if (members === null) return this.#rings.delete(node);
    if (known !== undefined && sameList(known.members, members)) return false;
    this.#rings.set(node, new ClusterRing(members));
    return true;
  }

  /** The peer is gone (down, left, a new life): it claims nothing any more. */
  drop(node: string): boolean {
    return this.#rings.delete(node);
  }

  clear(): void {
    this.#rings.clear();
  }

  /** True when every peer claims by the same member set as `ring` (nobody else claims its rooms). */
  agreeWith(ring: ClusterRing): boolean {
    for (const claimed of this.#rings.values()) if (!claimed.sameMembers(ring)) return false;
    return true;
  }

  /** The peers (other than `except`) whose claimed ring places `roomKey` on themselves. */
  claims(roomKey: string, except: string | null): boolean {
    for (const [node, ring] of this.#rings) {
      if (node !== except && ring.has(node) && ring.ownerOf(roomKey) === node) return true;
    }
    return false;
  }
}

/** The payload part a node announces for `ring` (none while it has no claim to make). */
export function claimPart(ring: ClusterRing | null): unknown {
  return ring === null ? undefined : { ring: [...ring.members] };
}

/** A claim's member list, or null when the part is absent or not a list of non-empty strings. */
function claimedMembers(part: unknown): string[] | null {
  const ring = (part as { ring?: unknown } | null | undefined)?.ring;
  if (!Array.isArray(ring) || ring.length === 0) return null;
  if (!ring.every((m): m is string => typeof m === 'string' && m.length > 0)) return null;
  return [...new Set(ring)].sort();
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
