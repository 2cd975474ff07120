import { RoomError } from './room-error.js';

/** One message as the room ordered it; `payload` is the opaque publish payload (kept, not parsed). */
export interface HistoryEntry {
  readonly offset: number;
  readonly ts: number;
  readonly senderConn: number;
  readonly payload: Uint8Array;
}

export const DEFAULT_HISTORY_MAX_MESSAGES = 1000;
export const DEFAULT_HISTORY_MAX_BYTES = 1024 * 1024;

export interface RoomHistoryOptions {
  readonly maxMessages?: number;
  readonly maxBytes?: number;
}

/**
 * The recent messages of one room, for `join` with `since`: bounded by count and by bytes, oldest
 * evicted first. Offsets are contiguous, so the window is [firstOffset, lastOffset].
 *
 *   entries:  [ head ... | ... tail ]   (a circular array of maxMessages slots)
 *              ^ oldest kept            ^ newest
 */
export class RoomHistory {
  readonly #slots: (HistoryEntry | undefined)[];
  readonly #maxBytes: number;
  #head = 0;
  #count = 0;
  #bytes = 0;

  constructor(options: RoomHistoryOptions = {}) {
    const maxMessages = options.maxMessages ?? DEFAULT_HISTORY_MAX_MESSAGES;
    const maxBytes = options.maxBytes ?? DEFAULT_HISTORY_MAX_BYTES;
    if (!Number.isSafeInteger(maxMessages) || maxMessages < 0) {
      throw new RoomError(
        'ARQ_ERR_ROOM_OPTIONS',
        `options.maxMessages must be a non-negative integer, got ${maxMessages}`,
      );
    }
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new RoomError(
        'ARQ_ERR_ROOM_OPTIONS',
        `options.maxBytes must be a non-negative integer, got ${maxBytes}`,
      );
    }
    this.#slots = new Array(maxMessages);
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#count;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Appends; the caller guarantees offsets increase by one. */
  append(entry: HistoryEntry): void {
    const capacity = this.#slots.length;
    if (capacity === 0 || entry.payload.byteLength > this.#maxBytes) {
      this.clear();
      return;
    }
    while (
      this.#count > 0 &&
      (this.#count === capacity || this.#bytes + entry.payload.byteLength > this.#maxBytes)
    ) {
      this.#evictOldest();
    }
    this.#slots[(this.#head + this.#count) % capacity] = entry;
    this.#count++;
    this.#bytes += entry.payload.byteLength;
  }

  /**
   * The messages after `offset`, oldest first, or null when some of them are gone (evicted): the
   * caller then answers `{"recovered": false}`. An offset at or past the newest yields [].
   */
  after(offset: number, lastOffset: number): HistoryEntry[] | null {
    if (offset >= lastOffset) return [];
    if (this.#count === 0) return null;
    const first = this.#at(0).offset;
    if (offset + 1 < first) return null;
    const out: HistoryEntry[] = [];
    for (let i = offset + 1 - first; i < this.#count; i++) out.push(this.#at(i));
    return out;
  }

  /** Every kept message, oldest first (a room handing itself over to another node). */
  entries(): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let i = 0; i < this.#count; i++) out.push(this.#at(i));
    return out;
  }

  clear(): void {
    this.#slots.fill(undefined);
    this.#head = 0;
    this.#count = 0;
    this.#bytes = 0;
  }

  #at(index: number): HistoryEntry {
    return this.#slots[(this.#head + index) % this.#slots.length] as HistoryEntry;
  }

  #evictOldest(): void {
    const oldest = this.#at(0);
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#slots.length;
    this.#count--;
    this.#bytes -= oldest.payload.byteLength;
  }
}
