// src/storage: durable rooms: storing and replaying a room's history (JetStream).
export {
  DEFAULT_HISTORY_MAX_AGE_SEC,
  DEFAULT_HISTORY_MAX_BYTES,
  DEFAULT_HISTORY_MAX_MESSAGES,
  DurableRooms,
  type DurableRoomsOptions,
  durablePatternProblem,
  HISTORY_MAX_BYTES_LIMIT,
} from './durable-rooms.js';
export { StorageError, type StorageErrorCode } from './storage-error.js';
