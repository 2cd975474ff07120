import {
  ENVELOPE_HEADER_BYTES,
  type EnvelopeHeader,
  HEADER_CONN_ID_OFFSET,
  HEADER_CORRELATION_ID_OFFSET,
  HEADER_FLAGS_OFFSET,
  HEADER_KEY_LENGTH_OFFSET,
  HEADER_KIND_OFFSET,
  HEADER_PAYLOAD_LENGTH_OFFSET,
  HEADER_ROOM_ID_OFFSET,
  HEADER_VALUE_OFFSET,
  RESERVED_WRAP_KIND,
} from './envelope-header.js';
import { TransportError } from './errors.js';
import {
  CTRL_CONSUMER_WAITING,
  CTRL_EPOCH,
  CTRL_PRODUCER_WAITING,
  CTRL_READ_INDEX,
  CTRL_WRITE_INDEX,
  openRingViews,
} from './ring-layout.js';
import { LoopKeepAlive, notifyRing, openedRingEnd, sleepOnRing } from './wait-async.js';

/**
 * The writing end of an SpscRing. Exactly one thread may hold a producer for a given ring at a time.
 *
 * tryWrite copies a record into free space but does not publish it; flush() publishes everything
 * written since the last flush with one store and wakes the consumer only if it said it sleeps. A
 * record that was written but never flushed (the producer thread died) is beyond the published index,
 * so the consumer never reads it, and reset() discards it.
 */
export class RingProducer {
  readonly #ctrl: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #u16: Uint16Array;
  readonly #u32: Uint32Array;
  readonly #f64: Float64Array;
  readonly #capacity: number;
  readonly #mask: number;
  readonly #maxRecordBytes: number;
  readonly #keepAlive = new LoopKeepAlive();
  #epoch: number;
  /** Local write index: ahead of the published one by what tryWrite added since the last flush. */
  #write: number;
  #published: number;
  /** Last read index seen; free space is recomputed from the shared word only when this is short. */
  #cachedRead: number;
  /** Read index seen by the last tryWrite that found no room, or -1 after a successful write. */
  #blockedAtRead = -1;
  #spaceWait: Promise<void> | null = null;
  #notifyCount = 0;

  constructor(buffer: SharedArrayBuffer) {
    openedRingEnd(buffer);
    const views = openRingViews(buffer);
    this.#ctrl = views.ctrl;
    this.#bytes = views.bytes;
    this.#u16 = views.u16;
    this.#u32 = views.u32;
    this.#f64 = views.f64;
    this.#capacity = views.capacity;
    this.#mask = views.mask;
    this.#maxRecordBytes = views.maxRecordBytes;
    this.#epoch = Atomics.load(this.#ctrl, CTRL_EPOCH);
    this.#write = Atomics.load(this.#ctrl, CTRL_WRITE_INDEX);
    this.#published = this.#write;
    this.#cachedRead = Atomics.load(this.#ctrl, CTRL_READ_INDEX);
  }

  /** The epoch this producer writes in; it follows a reset on its next call. */
  get epoch(): number {
    return this.#epoch;
  }

  get maxRecordBytes(): number {
    return this.#maxRecordBytes;
  }

  /** Bytes written by tryWrite and not yet published by flush. */
  get unflushedBytes(): number {
    return (this.#write - this.#published) | 0;
  }

  /** How many times flush() issued an Atomics.notify (the consumer was asleep). */
  get notifyCount(): number {
    return this.#notifyCount;
  }

  /**
   * Copies one record into the ring, unpublished. Returns false, writing nothing, when there is not
   * enough free space (the caller keeps the record and waits with waitForSpace). Throws
   * ARQ_ERR_RECORD_TOO_LARGE when the record could never fit, whatever the ring's state.
   */
  tryWrite(header: EnvelopeHeader, key: Uint8Array, payload: Uint8Array): boolean {
    const ctrl = this.#ctrl;
    // A plain read is enough (Atomics.load costs ~20 ns here, a plain read ~1): by contract a reset
    // runs on this same thread, or before this thread opened the ring (see SpscRing).
    const epoch = ctrl[CTRL_EPOCH]!;
    if (epoch !== this.#epoch) this.#resync(epoch);
    const keyLength = key.length;
    const payloadLength = payload.length;
    const envelopeBytes = this.checkRecord(header, keyLength, payloadLength);
    const size = (envelopeBytes + 7) & ~7;
    const capacity = this.#capacity;
    let write = this.#write;
    let pos = write & this.#mask;
    const tail = capacity - pos;
    const needed = size <= tail ? size : tail + size;
    if (capacity - ((write - this.#cachedRead) | 0) < needed) {
      this.#cachedRead = Atomics.load(ctrl, CTRL_READ_INDEX);
      if (capacity - ((write - this.#cachedRead) | 0) < needed) {
        this.#blockedAtRead = this.#cachedRead;
        return false;
      }
    }
    if (size > tail) {
      this.#u16[pos >> 1] = RESERVED_WRAP_KIND;
      write = (write + tail) | 0;
      pos = 0;
    }
    this.#u16[(pos + HEADER_KIND_OFFSET) >> 1] = header.kind;
    this.#u16[(pos + HEADER_FLAGS_OFFSET) >> 1] = header.flags;
    const u32 = this.#u32;
    u32[(pos + HEADER_CONN_ID_OFFSET) >> 2] = header.connId;
    u32[(pos + HEADER_ROOM_ID_OFFSET) >> 2] = header.roomId;
    u32[(pos + HEADER_CORRELATION_ID_OFFSET) >> 2] = header.correlationId;
    u32[(pos + HEADER_KEY_LENGTH_OFFSET) >> 2] = keyLength;
    u32[(pos + HEADER_PAYLOAD_LENGTH_OFFSET) >> 2] = payloadLength;
    this.#f64[(pos + HEADER_VALUE_OFFSET) >> 3] = header.value;
    const start = pos + ENVELOPE_HEADER_BYTES;
    if (keyLength > 0) this.#bytes.set(key, start);
    if (payloadLength > 0) this.#bytes.set(payload, start + keyLength);
    this.#write = (write + size) | 0;
    this.#blockedAtRead = -1;
    return true;
  }

  /**
   * Throws what tryWrite would throw for this record (ARQ_ERR_RECORD_TOO_LARGE, or the reserved kind);
   * returns its envelope size (header + key + payload). Lets a caller queue a record it cannot write
   * yet and still fail fast.
   */
  checkRecord(header: EnvelopeHeader, keyLength: number, payloadLength: number): number {
    const envelopeBytes = ENVELOPE_HEADER_BYTES + keyLength + payloadLength;
    if (envelopeBytes > this.#maxRecordBytes) {
      throw new TransportError(
        'ARQ_ERR_RECORD_TOO_LARGE',
        `record of ${envelopeBytes} bytes (header ${ENVELOPE_HEADER_BYTES} + key ${keyLength} + ` +
          `payload ${payloadLength}) exceeds the ring's max record size ${this.#maxRecordBytes}`,
      );
    }
    if ((header.kind as number) === RESERVED_WRAP_KIND) {
      throw new TransportError(
        'ARQ_ERR_RING_OPTIONS',
        `header.kind ${RESERVED_WRAP_KIND} is reserved by the ring`,
      );
    }
    return envelopeBytes;
  }

  /**
   * Publishes every record written since the last flush (one atomic store), then wakes the consumer
   * with one Atomics.notify if, and only if, it announced it is waiting. Call once per batch.
   */
  flush(): void {
    const write = this.#write;
    if (write === this.#published) return;
    const ctrl = this.#ctrl;
    const epoch = Atomics.load(ctrl, CTRL_EPOCH);
    if (epoch !== this.#epoch) {
      // The ring was reset under these records: publishing would expose them in the new epoch.
      this.#resync(epoch);
      return;
    }
    // Store-then-load here pairs with the consumer's store-flag-then-load-index in waitForData:
    // with sequentially consistent atomics at least one side sees the other, so no wake is lost.
    Atomics.store(ctrl, CTRL_WRITE_INDEX, write);
    this.#published = write;
    if (Atomics.load(ctrl, CTRL_CONSUMER_WAITING) !== 0) {
      notifyRing(ctrl, CTRL_WRITE_INDEX);
      this.#notifyCount++;
    }
  }

  /**
   * Resolves once the consumer has freed space since the last tryWrite that returned false (at once if
   * it already has, or if no tryWrite failed), or once the ring is reset. Flushes first: a producer
   * waiting on unpublished records would wait forever. Never blocks the thread: Atomics.waitAsync.
   */
  waitForSpace(): Promise<void> {
    if (this.#spaceWait !== null) return this.#spaceWait;
    this.flush();
    const ctrl = this.#ctrl;
    const blockedAt = this.#blockedAtRead;
    if (blockedAt === -1 || Atomics.load(ctrl, CTRL_EPOCH) !== this.#epoch)
      return Promise.resolve();
    const sleeping = sleepOnRing(
      ctrl,
      CTRL_PRODUCER_WAITING,
      CTRL_READ_INDEX,
      blockedAt,
      this.#epoch,
      this.#keepAlive,
    );
    if (sleeping === null) return Promise.resolve();
    this.#spaceWait = sleeping.then(() => {
      this.#spaceWait = null;
    });
    return this.#spaceWait;
  }

  /** Settles this producer's pending waitForSpace now (it re-checks; used to stop a send pump). */
  wake(): void {
    notifyRing(this.#ctrl, CTRL_READ_INDEX);
  }

  /** Follows a reset: the indices are zero again and what this side had not published is gone. */
  #resync(epoch: number): void {
    this.#epoch = epoch;
    this.#write = Atomics.load(this.#ctrl, CTRL_WRITE_INDEX);
    this.#published = this.#write;
    this.#cachedRead = Atomics.load(this.#ctrl, CTRL_READ_INDEX);
    this.#blockedAtRead = -1;
  }
}
