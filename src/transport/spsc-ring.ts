import { ENVELOPE_HEADER_BYTES } from './envelope-header.js';
import { TransportError } from './errors.js';
import { RingConsumer } from './ring-consumer.js';
import {
  CTRL_CAPACITY,
  CTRL_CONSUMER_WAITING,
  CTRL_EPOCH,
  CTRL_MAGIC,
  CTRL_MAX_RECORD,
  CTRL_PRODUCER_WAITING,
  CTRL_READ_INDEX,
  CTRL_VERSION,
  CTRL_WRITE_INDEX,
  isPowerOfTwo,
  MAX_RING_CAPACITY_BYTES,
  MIN_RING_CAPACITY_BYTES,
  maxRecordLimit,
  openRingViews,
  RING_DATA_OFFSET,
  RING_LAYOUT_VERSION,
  RING_MAGIC,
} from './ring-layout.js';
import { RingProducer } from './ring-producer.js';
import { notifyRing } from './wait-async.js';

export interface SpscRingOptions {
  /**
   * Largest envelope (32-byte header + key + payload) the ring accepts; larger ones are refused with
   * ARQ_ERR_RECORD_TOO_LARGE. At most half the capacity (the default), so an empty ring always has room.
   */
  readonly maxRecordBytes?: number;
}

/**
 * A single-producer/single-consumer ring of variable-length envelope records over one
 * SharedArrayBuffer (layout in ring-layout.ts). The buffer is the ring: post it to a worker in
 * workerData and open it there with `new SpscRing(buffer)`. One thread takes `producer()`, one other
 * thread takes `consumer()`.
 *
 * Reset and epochs. reset() discards everything in the ring (published or not), zeroes both indices
 * and bumps the epoch; the sides notice the new epoch on their next call and start again at zero.
 * Who may call it, and when: the supervisor, on the SURVIVING side's thread, AFTER the other side's
 * thread has exited (its Worker 'exit' event: it can no longer write a byte) and BEFORE the
 * replacement thread opens the ring. Then no side runs concurrently with the reset: the survivor is
 * the caller itself, and the dead side's unpublished writes lie beyond the zeroed write index, where no
 * consumer ever reads. Resetting while both sides are alive races with them and is not supported.
 */
export class SpscRing {
  readonly #buffer: SharedArrayBuffer;
  readonly #ctrl: Int32Array;
  readonly #capacity: number;
  readonly #maxRecordBytes: number;
  #producer: RingProducer | null = null;
  #consumer: RingConsumer | null = null;

  /** A zeroed ring of `capacityBytes` data bytes (a power of two), epoch 0. */
  static allocate(capacityBytes: number, options: SpscRingOptions = {}): SharedArrayBuffer {
    if (
      !isPowerOfTwo(capacityBytes) ||
      capacityBytes < MIN_RING_CAPACITY_BYTES ||
      capacityBytes > MAX_RING_CAPACITY_BYTES
    ) {
      throw new TransportError(
        'ARQ_ERR_RING_OPTIONS',
        `capacityBytes must be a power of two from ${MIN_RING_CAPACITY_BYTES} to ` +
          `${MAX_RING_CAPACITY_BYTES}, got ${capacityBytes}`,
      );
    }
    const limit = maxRecordLimit(capacityBytes);
    const maxRecordBytes = options.maxRecordBytes ?? limit;
    if (
      !Number.isInteger(maxRecordBytes) ||
      maxRecordBytes < ENVELOPE_HEADER_BYTES ||
      maxRecordBytes > limit
    ) {
      throw new TransportError(
        'ARQ_ERR_RING_OPTIONS',
        `options.maxRecordBytes must be an integer from ${ENVELOPE_HEADER_BYTES} to ${limit} ` +
          `(half of capacityBytes), got ${maxRecordBytes}`,
      );
    }
    const buffer = new SharedArrayBuffer(RING_DATA_OFFSET + capacityBytes);
    const ctrl = new Int32Array(buffer, 0, RING_DATA_OFFSET / 4);
    ctrl[CTRL_CAPACITY] = capacityBytes;
    ctrl[CTRL_MAX_RECORD] = maxRecordBytes;
    ctrl[CTRL_VERSION] = RING_LAYOUT_VERSION;
    // Magic last: a buffer is recognised as a ring only once its fields are in place.
    Atomics.store(ctrl, CTRL_MAGIC, RING_MAGIC);
    return buffer;
  }

  constructor(buffer: SharedArrayBuffer) {
    const views = openRingViews(buffer);
    this.#buffer = buffer;
    this.#ctrl = views.ctrl;
    this.#capacity = views.capacity;
    this.#maxRecordBytes = views.maxRecordBytes;
  }

  get buffer(): SharedArrayBuffer {
    return this.#buffer;
  }

  get capacity(): number {
    return this.#capacity;
  }

  get maxRecordBytes(): number {
    return this.#maxRecordBytes;
  }

  /** The ring's current epoch, as stored in shared memory. */
  get epoch(): number {
    return Atomics.load(this.#ctrl, CTRL_EPOCH);
  }

  /** Published bytes the consumer has not released yet (wrap skips included). */
  get usedBytes(): number {
    return (
      (Atomics.load(this.#ctrl, CTRL_WRITE_INDEX) - Atomics.load(this.#ctrl, CTRL_READ_INDEX)) | 0
    );
  }

  /** This thread's writing end (one per SpscRing instance). */
  producer(): RingProducer {
    this.#producer ??= new RingProducer(this.#buffer);
    return this.#producer;
  }

  /** This thread's reading end (one per SpscRing instance). */
  consumer(): RingConsumer {
    this.#consumer ??= new RingConsumer(this.#buffer);
    return this.#consumer;
  }

  /**
   * Discards the ring's content and starts a new epoch; returns it. Only under the contract in the
   * class comment: the other side's thread has exited and its replacement has not opened the ring.
   * Wakes this thread's own pending waitForData/waitForSpace so they see the new epoch.
   */
  reset(): number {
    const ctrl = this.#ctrl;
    const epoch = (Atomics.load(ctrl, CTRL_EPOCH) + 1) | 0;
    Atomics.store(ctrl, CTRL_WRITE_INDEX, 0);
    Atomics.store(ctrl, CTRL_READ_INDEX, 0);
    Atomics.store(ctrl, CTRL_PRODUCER_WAITING, 0);
    Atomics.store(ctrl, CTRL_CONSUMER_WAITING, 0);
    Atomics.store(ctrl, CTRL_EPOCH, epoch);
    notifyRing(ctrl, CTRL_WRITE_INDEX);
    notifyRing(ctrl, CTRL_READ_INDEX);
    return epoch;
  }
}
