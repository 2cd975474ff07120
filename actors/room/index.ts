export { RoomActor } from './room-actor.js';
export {
  DEFAULT_ROOM_IDLE_MS,
  HISTORY_REPLY_MAX_BYTES,
  type RoomActorOptions,
} from './room-actor-options.js';
export { RoomError, type RoomErrorCode } from './room-error.js';
export {
  DEFAULT_HISTORY_MAX_BYTES,
  DEFAULT_HISTORY_MAX_MESSAGES,
  type HistoryEntry,
  type HistoryPage,
  type PageLimits,
  RoomHistory,
  type RoomHistoryOptions,
} from './room-history.js';
export type {
  HistoryAnswer,
  HistoryQuery,
  ResumeFrom,
  RoomDelivery,
  RoomMessage,
  RoomState,
} from './room-message.js';
export type { RoomOutput, RoomReplyError } from './room-output.js';
export { type RoomStore, STORE_BATCH_MAX_MESSAGES, type StoredEntry } from './room-store.js';
