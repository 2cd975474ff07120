import { PresenceError, quote } from './errors.js';
import type { PresenceDelta } from './presence-delta.js';
import { ReplicaStore } from './replica-store.js';

/**
 * The lattice join of two payloads of the same replica, as a new payload: what a receiver knows
 * after merging both. Commutative, associative and idempotent; a sender may use it to coalesce the
 * deltas it owes a slow peer, and a state merged with later deltas is a later state.
 */
export function mergePresenceDeltas(a: PresenceDelta, b: PresenceDelta): PresenceDelta {
  if (a.node !== b.node || a.incarnation !== b.incarnation) {
    throw new PresenceError(
      'ARQ_ERR_PRESENCE_REPLICA_MISMATCH',
      `cannot merge deltas of replicas ${quote(a.node)}/${quote(a.incarnation)} and ` +
        `${quote(b.node)}/${quote(b.incarnation)}`,
    );
  }
  const store = ReplicaStore.fromDelta(a);
  store.join(b);
  return store.toDelta();
}
