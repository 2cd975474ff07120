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
/** Arena positions are kept in a Uint32Array. */
export const HISTORY_MAX_BYTES_LIMIT = 0xffff_ffff;
/** First allocation of the byte arena; it doubles from here up to what maxBytes needs. */
export const HISTORY_INITIAL_ARENA_BYTES = 4096;
/** First allocation of the metadata arrays; they double from here up to maxMessages. */
export const HISTORY_INITIAL_SLOTS = 16;

/** What one page of history may hold, and from when a message still counts as kept. */
export interface PageLimits {
  /** At most this many messages (a positive integer). */
  readonly limit: number;
  /**
   * At most this many payload bytes, but always at least one message (so a reader can page past
   * any message): the page stops before the message that would cross it.
   */
  readonly maxBytes: number;
  /** Messages stored before this time (ms) count as gone (a durable room's max age); 0: none. */
  readonly minTs: number;
}

/** One page of kept messages, oldest first. */
export interface HistoryPage {
  readonly entries: readonly HistoryEntry[];
  /**
   * More kept messages lie beyond the page in the direction read: newer ones after its last
   * (pages after an offset or from a time), older ones before its first (latest, before).
   */
  readonly more: boolean;
}

export interface RoomHistoryOptions {
  readonly maxMessages?: number;
  readonly maxBytes?: number;
}

const EMPTY_BYTES = new Uint8Array(0);
/** No limit: a replay (`join` with `since`) takes everything after its point in one go. */
const WHOLE_WINDOW: PageLimits = Object.freeze({
  limit: Number.POSITIVE_INFINITY,
  maxBytes: Number.POSITIVE_INFINITY,
  minTs: 0,
});
/** Frozen: shared by every empty answer. */
const EMPTY_PAGE: HistoryPage = Object.freeze({
  entries: Object.freeze([]),
  more: false,
});

/**
 * The recent messages of one room, for `join` with `since`: bounded by count and by bytes, oldest
 * evicted first. Offsets are contiguous, so the window is [firstOffset, firstOffset + size - 1].
 *
 * Appending keeps no new JS object alive (a kept object per message survived every young-generation
 * scavenge of the shard thread, so each scavenge copied all history published since the last one):
 * payload bytes are copied into one circular byte arena and the metadata into typed arrays, all of
 * which start small (allocated on the first append) and grow by doubling, compacting in order.
 *
 *   slots (circular, capacity grows to maxMessages; slot of message i = (head + i) % capacity):
 *     ts[]  senderConn[]  start[]  length[]
 *            [ .. | head = firstOffset | firstOffset+1 | ... | newest | .. ]
 *   arena (circular bytes, capacity grows to maxBytes; a payload may wrap past the end):
 *     [ ..newest tail | free | oldest payload (start[head]) ... newest payload head.. ]
 *                            ^ arenaHead                                            ^ wraps to 0
 *
 * after(), entries() and the pages build HistoryEntry objects on demand (a page only those it
 * returns), each with its own payload copy, since the arena is overwritten by later appends.
 */
export class RoomHistory {
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  #ts = new Float64Array(0);
  #sender = new Uint32Array(0);
  #start = new Uint32Array(0);
  #length = new Uint32Array(0);
  #head = 0;
  #count = 0;
  #firstOffset = 0;
  #arena = EMPTY_BYTES;
  /** Arena position of the oldest kept byte; the live bytes are [arenaHead, arenaHead + bytes). */
  #arenaHead = 0;
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
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0 || maxBytes > HISTORY_MAX_BYTES_LIMIT) {
      throw new RoomError(
        'ARQ_ERR_ROOM_OPTIONS',
        `options.maxBytes must be an integer from 0 to ${HISTORY_MAX_BYTES_LIMIT}, got ${maxBytes}`,
      );
    }
    this.#maxMessages = maxMessages;
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#count;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Arena bytes allocated (grows with use, never past what maxBytes needs). */
  get arenaCapacity(): number {
    return this.#arena.byteLength;
  }

  /**
   * Appends a copy of the entry; the caller guarantees offsets increase by one. An offset that does
   * not follow the newest kept one restarts the window there rather than misnumbering the replay.
   */
  append(entry: HistoryEntry): void {
    const length = entry.payload.byteLength;
    if (this.#maxMessages === 0 || length > this.#maxBytes) {
      this.clear();
      return;
    }
    if (this.#count > 0 && entry.offset !== this.#firstOffset + this.#count) this.clear();
    while (
      this.#count > 0 &&
      (this.#count === this.#maxMessages || this.#bytes + length > this.#maxBytes)
    ) {
      this.#evictOldest();
    }
    if (this.#count === this.#ts.length) this.#growSlots();
    if (this.#bytes + length > this.#arena.byteLength) this.#growArena(this.#bytes + length);
    if (this.#count === 0) {
      this.#firstOffset = entry.offset;
      this.#arenaHead = 0;
    }
    const start = this.#wrapArena(this.#arenaHead + this.#bytes);
    this.#write(start, entry.payload);
    const slot = this.#slot(this.#count);
    this.#ts[slot] = entry.ts;
    this.#sender[slot] = entry.senderConn;
    this.#start[slot] = start;
    this.#length[slot] = length;
    this.#count++;
    this.#bytes += length;
  }

  /**
   * The messages after `offset`, oldest first, or null when some of them are gone (evicted): the
   * caller then answers `{"recovered": false}`. An offset at or past the newest yields [].
   */
  after(offset: number, lastOffset: number): readonly HistoryEntry[] | null {
    return this.pageAfter(offset, lastOffset, WHOLE_WINDOW)?.entries ?? null;
  }

  /**
   * The messages stored at or after `ts`, oldest first, or null when the window may have lost some
   * of them (its oldest kept message is newer than `ts` and earlier ones were evicted or never kept
   * here). `lastOffset` is the room's newest offset: 0 means nothing was ever published.
   */
  fromTime(ts: number, lastOffset: number): readonly HistoryEntry[] | null {
    return this.pageFromTime(ts, lastOffset, WHOLE_WINDOW)?.entries ?? null;
  }

  /**
   * A page of the messages after `offset`, or null when some of them are gone (evicted, or older
   * than `minTs`). Entries are built for the page only, not for the whole window.
   */
  pageAfter(offset: number, lastOffset: number, limits: PageLimits): HistoryPage | null {
    if (offset >= lastOffset) return EMPTY_PAGE;
    const valid = this.#firstValid(limits.minTs);
    if (valid === this.#count || offset + 1 < this.#firstOffset + valid) return null;
    return this.#forward(offset + 1 - this.#firstOffset, limits);
  }

  /**
   * A page of the messages stored at or after `ts`, or null when one of them may be gone: an
   * evicted message (its time unknown, at most the oldest kept one's) or one older than `minTs`
   * may have been stored at or after `ts`.
   */
  pageFromTime(ts: number, lastOffset: number, limits: PageLimits): HistoryPage | null {
    if (lastOffset === 0) return EMPTY_PAGE;
    const valid = this.#firstValid(limits.minTs);
    if (this.#count === 0) return null;
    if (this.#firstOffset > 1 && this.#tsAt(0) >= ts) return null;
    if (valid > 0 && this.#tsAt(valid - 1) >= ts) return null;
    if (valid === this.#count) return EMPTY_PAGE; // all expired, all before `ts`
    return this.#forward(Math.max(valid, this.#lowerBound(ts)), limits);
  }

  /**
   * A page of the newest messages before `offset` (older than it), or null when every one of them
   * is gone (evicted or older than `minTs`) while some existed. `more`: older ones are kept too.
   */
  pageBefore(offset: number, lastOffset: number, limits: PageLimits): HistoryPage | null {
    if (offset <= 1 || lastOffset === 0) return EMPTY_PAGE;
    const valid = this.#firstValid(limits.minTs);
    const end = Math.min(this.#count, offset - this.#firstOffset);
    if (this.#count === 0 || end <= valid) return null;
    return this.#backward(end, valid, limits);
  }

  /** A page of the newest kept messages; `more`: older ones are kept too. */
  latest(limits: PageLimits): HistoryPage {
    const valid = this.#firstValid(limits.minTs);
    if (valid === this.#count) return EMPTY_PAGE;
    return this.#backward(this.#count, valid, limits);
  }

  /** Every kept message, oldest first (a room handing itself over to another node). */
  entries(): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let i = 0; i < this.#count; i++) out.push(this.#entryAt(i));
    return out;
  }

  /**
   * Evicts the oldest messages stored before `minTs` (a durable room's stream drops them by its
   * max age; the window must not outlive them, or a replay would serve what the stream lost).
   */
  expireBefore(minTs: number): void {
    while (this.#count > 0 && (this.#ts[this.#head] as number) < minTs) this.#evictOldest();
  }

  /** Forgets every message; the allocated arrays are kept for the messages to come. */
  clear(): void {
    this.#head = 0;
    this.#count = 0;
    this.#arenaHead = 0;
    this.#bytes = 0;
  }

  #tsAt(index: number): number {
    return this.#ts[this.#slot(index)] as number;
  }

  /**
   * The index of the first message stored at or after `ts`. Times are assigned by the room as it
   * orders messages, so they do not decrease along the window (a wall clock stepped back could
   * misplace a few: then a page starts a little early or late, never out of order).
   */
  #lowerBound(ts: number): number {
    let low = 0;
    let high = this.#count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#tsAt(mid) < ts) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The index of the oldest message that still counts as kept (stored at or after `minTs`). */
  #firstValid(minTs: number): number {
    return minTs > 0 ? this.#lowerBound(minTs) : 0;
  }

  /** Up to the limits from index `first` on, oldest first. */
  #forward(first: number, limits: PageLimits): HistoryPage {
    const entries: HistoryEntry[] = [];
    let bytes = 0;
    let i = first;
    for (; i < this.#count && entries.length < limits.limit; i++) {
      const length = this.#length[this.#slot(i)] as number;
      if (entries.length > 0 && bytes + length > limits.maxBytes) break;
      bytes += length;
      entries.push(this.#entryAt(i));
    }
    return { entries, more: i < this.#count };
  }

  /** Up to the limits from index `end - 1` down to `stop`, returned oldest first. */
  #backward(end: number, stop: number, limits: PageLimits): HistoryPage {
    let bytes = 0;
    let first = end;
    while (first > stop && end - first < limits.limit) {
      const length = this.#length[this.#slot(first - 1)] as number;
      if (first < end && bytes + length > limits.maxBytes) break;
      bytes += length;
      first--;
    }
    const entries: HistoryEntry[] = [];
    for (let i = first; i < end; i++) entries.push(this.#entryAt(i));
    return { entries, more: first > stop };
  }

  #slot(index: number): number {
    const slot = this.#head + index;
    return slot >= this.#ts.length ? slot - this.#ts.length : slot;
  }

  /** Positions stay below twice the capacity, so one subtraction wraps them (and 0 stays 0). */
  #wrapArena(position: number): number {
    return position >= this.#arena.byteLength ? position - this.#arena.byteLength : position;
  }

  #entryAt(index: number): HistoryEntry {
    const slot = this.#slot(index);
    return {
      offset: this.#firstOffset + index,
      ts: this.#ts[slot] as number,
      senderConn: this.#sender[slot] as number,
      payload: this.#read(this.#start[slot] as number, this.#length[slot] as number),
    };
  }

  /** A fresh copy of `length` arena bytes from `start`, joining the two parts of a wrapped payload. */
  #read(start: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    const first = Math.min(length, this.#arena.byteLength - start);
    out.set(this.#arena.subarray(start, start + first), 0);
    if (first < length) out.set(this.#arena.subarray(0, length - first), first);
    return out;
  }

  #write(start: number, payload: Uint8Array): void {
    const first = Math.min(payload.byteLength, this.#arena.byteLength - start);
    this.#arena.set(first === payload.byteLength ? payload : payload.subarray(0, first), start);
    if (first < payload.byteLength) this.#arena.set(payload.subarray(first), 0);
  }

  #evictOldest(): void {
    const length = this.#length[this.#head] as number;
    this.#head = this.#slot(1);
    this.#count--;
    this.#firstOffset++;
    this.#bytes -= length;
    this.#arenaHead = this.#count === 0 ? 0 : this.#wrapArena(this.#arenaHead + length);
  }

  /** Doubles the slot arrays (up to maxMessages), moving the kept slots in order to index 0. */
  #growSlots(): void {
    const capacity = Math.min(
      this.#maxMessages,
      Math.max(HISTORY_INITIAL_SLOTS, this.#ts.length * 2),
    );
    const ts = new Float64Array(capacity);
    const sender = new Uint32Array(capacity);
    const start = new Uint32Array(capacity);
    const length = new Uint32Array(capacity);
    for (let i = 0; i < this.#count; i++) {
      const slot = this.#slot(i);
      ts[i] = this.#ts[slot] as number;
      sender[i] = this.#sender[slot] as number;
      start[i] = this.#start[slot] as number;
      length[i] = this.#length[slot] as number;
    }
    this.#ts = ts;
    this.#sender = sender;
    this.#start = start;
    this.#length = length;
    this.#head = 0;
  }

  /** Doubles the arena until `needed` fits (never past maxBytes), compacting the live bytes in order. */
  #growArena(needed: number): void {
    let capacity = Math.max(HISTORY_INITIAL_ARENA_BYTES, this.#arena.byteLength * 2);
    while (capacity < needed) capacity *= 2;
    const arena = new Uint8Array(Math.min(capacity, this.#maxBytes));
    let at = 0;
    for (let i = 0; i < this.#count; i++) {
      const slot = this.#slot(i);
      const start = this.#start[slot] as number;
      const length = this.#length[slot] as number;
      const first = Math.min(length, this.#arena.byteLength - start);
      arena.set(this.#arena.subarray(start, start + first), at);
      if (first < length) arena.set(this.#arena.subarray(0, length - first), at + first);
      this.#start[slot] = at;
      at += length;
    }
    this.#arena = arena;
    this.#arenaHead = 0;
  }
}
