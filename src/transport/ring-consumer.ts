import {
  ENVELOPE_HEADER_BYTES,
  HEADER_KEY_LENGTH_OFFSET,
  HEADER_PAYLOAD_LENGTH_OFFSET,
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
import { type RingRecord, RingRecordView } from './ring-record.js';
import { LoopKeepAlive, notifyRing, openedRingEnd, sleepOnRing } from './wait-async.js';

export type RingRecordHandler = (record: RingRecord) => void;

/**
 * The reading end of an SpscRing. Exactly one thread may hold a consumer for a given ring at a time.
 *
 * drain() hands each published record to a handler and then publishes the new read index once, so a
 * burst of records costs the producer one cache-line transfer, not one per record.
 */
export class RingConsumer {
  readonly #ctrl: Int32Array;
  readonly #u16: Uint16Array;
  readonly #u32: Uint32Array;
  readonly #capacity: number;
  readonly #mask: number;
  readonly #maxRecordBytes: number;
  readonly #view: RingRecordView;
  readonly #keepAlive = new LoopKeepAlive();
  #epoch: number;
  #read: number;
  #draining = false;
  #dataWait: Promise<void> | null = null;
  #notifyCount = 0;

  constructor(buffer: SharedArrayBuffer) {
    openedRingEnd(buffer);
    const views = openRingViews(buffer);
    this.#ctrl = views.ctrl;
    this.#u16 = views.u16;
    this.#u32 = views.u32;
    this.#capacity = views.capacity;
    this.#mask = views.mask;
    this.#maxRecordBytes = views.maxRecordBytes;
    this.#view = new RingRecordView(views);
    this.#epoch = Atomics.load(this.#ctrl, CTRL_EPOCH);
    this.#read = Atomics.load(this.#ctrl, CTRL_READ_INDEX);
  }

  /** The epoch this consumer reads in; it follows a reset on its next call. */
  get epoch(): number {
    return this.#epoch;
  }

  /** How many times drain() issued an Atomics.notify (the producer was waiting for space). */
  get notifyCount(): number {
    return this.#notifyCount;
  }

  /**
   * Hands up to `maxRecords` published records, in order, to `handler`, then publishes the read
   * index once. The record object is reused and points into the ring: see RingRecord. A record whose
   * handler throws counts as consumed (a poison record must not come back); the error propagates after
   * the read index is published. If the ring is reset (its epoch changes), drain re-syncs to the new
   * epoch and never hands out a record of the old one. Returns the number of records handed out.
   */
  drain(handler: RingRecordHandler, maxRecords: number): number {
    if (this.#draining) {
      throw new TransportError('ARQ_ERR_RING_STATE', 'drain called from inside a drain handler');
    }
    if (!(maxRecords >= 1)) {
      throw new TransportError(
        'ARQ_ERR_RING_OPTIONS',
        `maxRecords must be a positive number, got ${maxRecords}`,
      );
    }
    const ctrl = this.#ctrl;
    const epoch = Atomics.load(ctrl, CTRL_EPOCH);
    if (epoch !== this.#epoch) this.#resync(epoch);
    const write = Atomics.load(ctrl, CTRL_WRITE_INDEX);
    let read = this.#read;
    if (read === write) return 0;
    const u16 = this.#u16;
    const u32 = this.#u32;
    const view = this.#view;
    let count = 0;
    this.#draining = true;
    try {
      while (read !== write && count < maxRecords) {
        const pos = read & this.#mask;
        const available = (write - read) | 0;
        if (u16[pos >> 1] === RESERVED_WRAP_KIND) {
          const skip = this.#capacity - pos;
          if (skip > available) this.#corrupt(pos, `wrap marker skips ${skip} of ${available}`);
          read = (read + skip) | 0;
          continue;
        }
        const keyLength = u32[(pos + HEADER_KEY_LENGTH_OFFSET) >> 2]!;
        const payloadLength = u32[(pos + HEADER_PAYLOAD_LENGTH_OFFSET) >> 2]!;
        const envelopeBytes = ENVELOPE_HEADER_BYTES + keyLength + payloadLength;
        const size = (envelopeBytes + 7) & ~7;
        if (envelopeBytes > this.#maxRecordBytes || size > available) {
          this.#corrupt(pos, `record of ${envelopeBytes} bytes with ${available} published`);
        }
        view.moveTo(pos, keyLength, payloadLength);
        // Advance first: a handler that throws has still consumed its record.
        read = (read + size) | 0;
        count++;
        handler(view);
        // Plain read: only this thread may reset the ring while it runs (see SpscRing).
        if (ctrl[CTRL_EPOCH] !== epoch) break;
      }
    } finally {
      this.#draining = false;
      // A handler that reset the ring (then returned or threw): the old read index means nothing now.
      const now = Atomics.load(ctrl, CTRL_EPOCH);
      if (now !== epoch) this.#resync(now);
      else this.#publish(read);
    }
    return count;
  }

  /**
   * Resolves when records are published past what this consumer has read, or when the ring's epoch
   * changes; at once if either is already true. Sleeps with Atomics.waitAsync, so the thread's event
   * loop keeps running; while pending it keeps the loop alive (a waiting consumer is not idle).
   */
  waitForData(): Promise<void> {
    if (this.#dataWait !== null) return this.#dataWait;
    const ctrl = this.#ctrl;
    const epoch = this.#epoch;
    if (Atomics.load(ctrl, CTRL_EPOCH) !== epoch) return Promise.resolve();
    if (Atomics.load(ctrl, CTRL_WRITE_INDEX) !== this.#read) return Promise.resolve();
    const sleeping = sleepOnRing(
      ctrl,
      CTRL_CONSUMER_WAITING,
      CTRL_WRITE_INDEX,
      this.#read,
      epoch,
      this.#keepAlive,
    );
    if (sleeping === null) return Promise.resolve();
    this.#dataWait = sleeping.then(() => {
      this.#dataWait = null;
    });
    return this.#dataWait;
  }

  /** Settles this consumer's pending waitForData now (it re-checks; used to stop a receive loop). */
  wake(): void {
    notifyRing(this.#ctrl, CTRL_WRITE_INDEX);
  }

  #publish(read: number): void {
    if (read === this.#read) return;
    this.#read = read;
    const ctrl = this.#ctrl;
    Atomics.store(ctrl, CTRL_READ_INDEX, read);
    if (Atomics.load(ctrl, CTRL_PRODUCER_WAITING) !== 0) {
      notifyRing(ctrl, CTRL_READ_INDEX);
      this.#notifyCount++;
    }
  }

  #resync(epoch: number): void {
    this.#epoch = epoch;
    this.#read = Atomics.load(this.#ctrl, CTRL_READ_INDEX);
  }

  #corrupt(pos: number, detail: string): never {
    throw new TransportError(
      'ARQ_ERR_RING_CORRUPT',
      `ring data at offset ${pos} does not parse (${detail}); was it written by two producers, ` +
        'or reset while a side was still running?',
    );
  }
}
