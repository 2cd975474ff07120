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
 * the store keeps: `append` settles only once the messages are stored, all or none, and refuses
 * messages that do not follow what is stored (another writer, or an earlier write that failed
 * ambiguously).
 */
export interface RoomStore {
  /** The room as stored: epoch, last offset and the kept messages; null when nothing is kept. */
  load(): Promise<RoomState | null>;
  /** One write of one or more messages: same epoch, contiguous offsets, oldest first. */
  append(entries: readonly StoredEntry[]): Promise<void>;
  /**
   * Payload bytes one write may carry (a single larger message is still written alone): what
   * queued while a write was in flight goes in the next one, up to this.
   */
  readonly maxBatchBytes: number;
}

/** Messages one write may carry, whatever their size: bounds what one failed write refuses. */
export const STORE_BATCH_MAX_MESSAGES = 256;
