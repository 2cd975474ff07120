// src/cluster/membership: membership (heartbeats, the live set) and the ring that places rooms on
// live members.
export {
  ClusterRing,
  type OwnerMove,
  ownerChanged,
  ownerMove,
  RING_VNODES,
} from './cluster-ring.js';
export { Membership } from './membership.js';
export type {
  MembershipEvent,
  MembershipListener,
  MembershipState,
  MembershipStats,
  PeerInfo,
} from './membership-event.js';
export {
  DEFAULT_DOWN_AFTER_MS,
  DEFAULT_FORGET_AFTER_MS,
  DEFAULT_HEARTBEAT_MS,
  type MembershipOptions,
  type ResolvedMembershipOptions,
  resolveMembershipOptions,
} from './membership-options.js';
export { type PeerChange, PeerTable } from './peer-table.js';
