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
export { ClusterRooms } from './cluster-rooms.js';
export type {
  ClusterRoomsEvent,
  ClusterRoomsListener,
  ClusterRoomsStats,
} from './cluster-rooms-event.js';
export {
  type ClusterRoomsOptions,
  DEFAULT_FAN_IN_LINGER_MS,
  DEFAULT_HANDOFF_TIMEOUT_MS,
  DEFAULT_NOT_OWNER_RETRY_MS,
  DEFAULT_ROOM_REQUEST_TIMEOUT_MS,
  type LocalRooms,
  MAX_FAN_IN_LINGER_MS,
} from './cluster-rooms-options.js';
export { FanInBatcher } from './fan-in-batcher.js';
export {
  decodeHandoffAck,
  decodeRoomHandoff,
  encodeHandoffAck,
  encodeRoomHandoff,
  fitRoomHandoff,
  HANDOFF_WIRE_VERSION,
  type HandoffAck,
  type RoomHandoff,
} from './handoff-wire.js';
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
export { isProxyId, PROXY_ID_BASE } from './proxy-table.js';
export { CLAIM_PAYLOAD_PART, claimPart, PeerClaims } from './room-claims.js';
export { type LaneJob, RoomLanes, type RoomLanesOptions } from './room-lanes.js';
export { RoomRouteError, type RoomRouteErrorCode } from './room-route-error.js';
export {
  decodeRoomDirect,
  decodeRoomFan,
  decodeRoomReply,
  decodeRoomRequest,
  encodeRoomDirect,
  encodeRoomFan,
  encodeRoomReply,
  encodeRoomRequest,
  type RoomDirect,
  type RoomFan,
  type RoomReply,
  type RoomRequest,
} from './room-wire.js';
export * from './subjects.js';
