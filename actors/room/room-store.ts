import type { RoomState } from './room-message.js';

/** One message as a durable room hands it to its store. */
export interface StoredEntry {
  readonly epoch: string;
  readonly offset: number;
  readonly ts: number;
  /** The opaque publish payload (sender, headers, data), stored and replayed as it is. */
  readonly payload: Uint8Array;
}

/**
 * Where a durable room's messages live (src/storage implements it on JetStream). The room orders,
 * the store keeps: `append` settles only once the message is stored, and refuses a message that
 * does not follow what is stored (another writer, or an earlier write that failed ambiguously).
 */
export interface RoomStore {
  /** The room as stored: epoch, last offset and the kept messages; null when nothing is kept. */
  load(): Promise<RoomState | null>;
  append(entry: StoredEntry): Promise<void>;
}
