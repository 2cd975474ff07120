// src/cluster/wire: what nodes send each other over NATS: subjects, message encodings and their
// versions, MemberId, room route error codes.
export {
  CLUSTER_MESSAGE_VERSION,
  type ClusterMessage,
  encodeClusterMessage,
  type HeartbeatPayload,
  parseClusterMessage,
} from './cluster-message.js';
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
export type { MemberId } from './member-id.js';
export {
  decodePresenceDelta,
  decodeStateRequest,
  encodePresenceDelta,
  encodeStateRequest,
  presenceClockOf,
  type StateRequest,
} from './presence-wire.js';
export { decodeRoomDirect, encodeRoomDirect, type RoomDirect } from './room-direct.js';
export { decodeRoomFan, encodeRoomFan, type RoomFan } from './room-fan.js';
export { decodeRoomReply, encodeRoomReply, type RoomReply } from './room-reply.js';
export { decodeRoomRequest, encodeRoomRequest, type RoomRequest } from './room-request.js';
export { RoomRouteError, type RoomRouteErrorCode, routeCodeOf } from './room-route-error.js';
export {
  CLUSTER_HEARTBEAT_SUBJECT,
  decodeRoomName,
  decodeToken,
  encodeRoomName,
  encodeToken,
  nodeDirectWildcard,
  nodeHandoffWildcard,
  ownerPublishWildcard,
  PRESENCE_DELTA_SUBJECT,
  PRESENCE_SUBJECT_WILDCARD,
  parseRoomSubject,
  presenceStateSubject,
  type RoomSubject,
  roomDirectSubject,
  roomFanoutSubject,
  roomHandoffSubject,
  roomPublishSubject,
  SUBJECT_ROOT,
  tenantSubjectWildcard,
} from './subjects.js';
