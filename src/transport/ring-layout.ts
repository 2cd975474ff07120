import { ENVELOPE_HEADER_BYTES } from './envelope-header.js';
import { TransportError } from './errors.js';

/*
 * One SharedArrayBuffer per ring: a control block, then the data area.
 *
 *  byte 0    +----------------------------------------------+
 *            | MAGIC | VERSION | CAPACITY | MAX_RECORD | EPOCH |  read-mostly: written at allocate/reset
 *  byte 128  +----------------------------------------------+
 *            | WRITE_INDEX | PRODUCER_WAITING                 |  written by the producer only
 *  byte 256  +----------------------------------------------+
 *            | READ_INDEX  | CONSUMER_WAITING                 |  written by the consumer only
 *  byte 384  +----------------------------------------------+
 *            | data: CAPACITY bytes (a power of two)          |
 *            |  [header 32 | key | payload | pad to 8] [...]  |
 *            |  ... [WRAP kind] <- skip to offset 0           |
 *            +----------------------------------------------+
 *
 * The two index words live on separate 128-byte blocks so the producer's and the consumer's stores
 * never share a cache line (or an adjacent-line prefetch pair). Indices are free-running u32 byte
 * counters kept in Int32 words: position = index & (CAPACITY - 1), used = (write - read) | 0, exact
 * while CAPACITY <= 2^30 because 2^32 is a multiple of CAPACITY.
 */

/** Int32 slot numbers (byte offset / 4) of the control words. */
export const CTRL_MAGIC = 0;
export const CTRL_VERSION = 1;
export const CTRL_CAPACITY = 2;
export const CTRL_MAX_RECORD = 3;
export const CTRL_EPOCH = 4;
export const CTRL_WRITE_INDEX = 128 / 4;
export const CTRL_PRODUCER_WAITING = 128 / 4 + 1;
export const CTRL_READ_INDEX = 256 / 4;
export const CTRL_CONSUMER_WAITING = 256 / 4 + 1;
/** Byte offset of the data area; a multiple of 8 so every record header is 8-byte aligned. */
export const RING_DATA_OFFSET = 384;

/** 'ARQR' read as a little-endian Int32: marks a buffer made by SpscRing.allocate. */
export const RING_MAGIC = 0x52515241;
export const RING_LAYOUT_VERSION = 1;
/** Every record starts on an 8-byte boundary (the header's f64 needs it). */
export const RING_RECORD_ALIGN = 8;

export const MIN_RING_CAPACITY_BYTES = 1024;
export const MAX_RING_CAPACITY_BYTES = 2 ** 30;
export const DEFAULT_RING_CAPACITY_BYTES = 1024 * 1024;

/** Bytes a record of these section lengths occupies in the ring. */
export function recordBytes(keyLength: number, payloadLength: number): number {
  return (ENVELOPE_HEADER_BYTES + keyLength + payloadLength + 7) & ~7;
}

/**
 * The largest maxRecordBytes a ring of this capacity accepts: with records of at most half the
 * capacity, an empty ring always has room for one record plus the skipped tail before it.
 */
export function maxRecordLimit(capacityBytes: number): number {
  return capacityBytes / 2;
}

/** Typed views over one ring buffer, built once per side. */
export interface RingViews {
  readonly buffer: SharedArrayBuffer;
  readonly ctrl: Int32Array;
  readonly bytes: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
  readonly capacity: number;
  readonly mask: number;
  readonly maxRecordBytes: number;
}

/** Checks that `buffer` is a ring of this layout and returns views over it. */
export function openRingViews(buffer: unknown): RingViews {
  if (!(buffer instanceof SharedArrayBuffer)) {
    throw new TransportError(
      'ARQ_ERR_RING_LAYOUT',
      `ring buffer must be a SharedArrayBuffer made by SpscRing.allocate, got ${describe(buffer)}`,
    );
  }
  if (buffer.byteLength < RING_DATA_OFFSET + MIN_RING_CAPACITY_BYTES) {
    throw new TransportError(
      'ARQ_ERR_RING_LAYOUT',
      `ring buffer is too small to be a ring (${buffer.byteLength} bytes)`,
    );
  }
  const ctrl = new Int32Array(buffer, 0, RING_DATA_OFFSET / 4);
  const magic = Atomics.load(ctrl, CTRL_MAGIC);
  const version = Atomics.load(ctrl, CTRL_VERSION);
  if (magic !== RING_MAGIC || version !== RING_LAYOUT_VERSION) {
    throw new TransportError(
      'ARQ_ERR_RING_LAYOUT',
      `ring buffer has magic 0x${(magic >>> 0).toString(16)} version ${version}, ` +
        `expected 0x${RING_MAGIC.toString(16)} version ${RING_LAYOUT_VERSION}`,
    );
  }
  const capacity = Atomics.load(ctrl, CTRL_CAPACITY);
  const maxRecordBytes = Atomics.load(ctrl, CTRL_MAX_RECORD);
  if (capacity !== buffer.byteLength - RING_DATA_OFFSET || !isPowerOfTwo(capacity)) {
    throw new TransportError(
      'ARQ_ERR_RING_LAYOUT',
      `ring buffer declares capacity ${capacity} but holds ${buffer.byteLength - RING_DATA_OFFSET} data bytes`,
    );
  }
  return {
    buffer,
    ctrl,
    bytes: new Uint8Array(buffer, RING_DATA_OFFSET, capacity),
    u16: new Uint16Array(buffer, RING_DATA_OFFSET, capacity / 2),
    u32: new Uint32Array(buffer, RING_DATA_OFFSET, capacity / 4),
    f64: new Float64Array(buffer, RING_DATA_OFFSET, capacity / 8),
    capacity,
    mask: capacity - 1,
    maxRecordBytes,
  };
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
