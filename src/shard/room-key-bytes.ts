import { encodeKey } from './shard-wire.js';

/** Rooms whose encoded key is kept; past it the cache starts over (bounded, no LRU bookkeeping). */
export const ROOM_KEY_BYTES_CAPACITY = 4096;

/**
 * Room keys as the ring carries them (UTF-8), encoded once per room instead of once per message:
 * a publish (edge side) or a delivery (shard side) otherwise pays a TextEncoder call and a
 * Uint8Array allocation just to name its room.
 * The bytes are shared: the ring and its overflow queue copy them, nobody writes to them.
 */
export class RoomKeyBytes {
  readonly #bytes = new Map<string, Uint8Array>();

  of(roomKey: string): Uint8Array {
    let bytes = this.#bytes.get(roomKey);
    if (bytes === undefined) {
      if (this.#bytes.size >= ROOM_KEY_BYTES_CAPACITY) this.#bytes.clear();
      bytes = encodeKey(roomKey);
      this.#bytes.set(roomKey, bytes);
    }
    return bytes;
  }

  /** Drops a room that stopped (the cache would also start over when full). */
  forget(roomKey: string): void {
    this.#bytes.delete(roomKey);
  }
}
