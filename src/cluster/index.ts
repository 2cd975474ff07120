export { ClusterError, type ClusterErrorCode } from './cluster-error.js';
export {
  asError,
  type ClusterLog,
  type ClusterLogEvent,
  SILENT_CLUSTER_LOG,
} from './cluster-log.js';
export {
  CLUSTER_MESSAGE_VERSION,
  type ClusterMessage,
  encodeClusterMessage,
  type HeartbeatPayload,
  parseClusterMessage,
} from './cluster-message.js';
export {
  ClusterRing,
  type OwnerMove,
  ownerChanged,
  ownerMove,
  RING_VNODES,
} from './cluster-ring.js';
export { Membership } from './membership.js';
export type {
  MemberId,
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
} from './membership-options.js';
export {
  PRESENCE_PAYLOAD_PART,
  PresenceGossip,
  type PresenceGossipStats,
} from './presence-gossip.js';
export {
  DEFAULT_BROADCAST_MS,
  DEFAULT_PURGE_AFTER_MS,
  DEFAULT_STATE_REQUEST_TIMEOUT_MS,
  type PresenceGossipOptions,
} from './presence-gossip-options.js';
export {
  decodePresenceDelta,
  decodeStateRequest,
  encodePresenceDelta,
  encodeStateRequest,
  presenceClockOf,
  type StateRequest,
} from './presence-wire.js';
export * from './subjects.js';
