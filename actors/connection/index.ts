export { ConnectionActor, type ConnectionState } from './connection-actor.js';
export { ConnectionError, type ConnectionErrorCode } from './connection-error.js';
export type {
  ConnectionHost,
  ConnectionLimits,
  ConnectionMetrics,
  JoinAnswer,
  PolicyDenial,
  PolicyGate,
  PublishAnswer,
  RoomGateway,
} from './connection-host.js';
export type { ConnectionPrincipal } from './connection-principal.js';
export type { ConnectionSocket } from './connection-socket.js';
export { messageDeliveryOf } from './message-delivery.js';
export { type PresenceStateFrame, PresenceStateFrames } from './presence-state-frames.js';
export {
  decodePublishPayload,
  encodePublishPayload,
  encodeSender,
  type PublishPayload,
} from './publish-payload.js';
export {
  roomKeyOf,
  roomOfKey,
  type TopicEncoding,
  type TopicKind,
  tenantOfKey,
  topicOf,
} from './room-key.js';
export { toWirePresences } from './wire-presences.js';
