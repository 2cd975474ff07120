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
export { JetStreamRoomStore, STORE_BATCH_MAX_BYTES } from './jetstream-room-store.js';
export type { RoomStorageConfig } from './room-storage-config.js';
export { DURABLE_WRITE_TIMEOUT_MS, RoomStreams, type RoomStreamsOptions } from './room-streams.js';
export { ROOM_STREAM, ROOM_STREAM_SUBJECTS, roomStoreSubject } from './room-subjects.js';
export { StorageError, type StorageErrorCode } from './storage-error.js';
export { decodeStoredBatch, encodeStoredBatch } from './stored-batch.js';
