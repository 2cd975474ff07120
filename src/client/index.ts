// The ArqonBus client SDK (`arqonbus/client`): JSON text frames over any WHATWG WebSocket, for
// browsers and Node. No Node-only imports here: this folder is bundled for browsers.
export { ArqonClient, type ClientEvents, type ClientStats } from './arqon-client.js';
export { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
export type { JoinOptions, PublishOptions, ResumePoint, TimePoint } from './client-frame.js';
export {
  type ArqonClientOptions,
  DEFAULT_HEARTBEAT,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type TokenSource,
} from './client-options.js';
export type { ClientState, StateChange } from './client-state.js';
export {
  CLOSE_DRAINING,
  CLOSE_POLICY_DROP,
  CLOSE_POLICY_VIOLATION,
  CLOSE_SLOW_CONSUMER,
  CLOSE_TOKEN_EXPIRED,
  shouldReconnect,
} from './close-policy.js';
export type { Listener } from './emitter.js';
export {
  ArqonClientError,
  type ArqonClientErrorCode,
  type ClientSideErrorCode,
  isWireErrorCode,
  WIRE_ERROR_CODES,
  type WireErrorCode,
} from './errors.js';
export {
  type HistoryOptions,
  type HistoryResult,
  MAX_HISTORY_LIMIT,
} from './history-query.js';
export {
  Presence,
  type PresenceDiff,
  type PresenceGroup,
  type PresenceJoinCallback,
  type PresenceLeaveCallback,
} from './presence.js';
export type { JoinResult, PingResult, PublishResult } from './reply-body.js';
export type { RoomChannel, RoomEvents } from './room-channel.js';
export type { PresenceMeta, Presences, RoomMessage, Welcome } from './server-frame.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket-like.js';
