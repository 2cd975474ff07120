import {
  ENVELOPE_HEADER_BYTES,
  type EnvelopeHeader,
  type EnvelopeKind,
  HEADER_CONN_ID_OFFSET,
  HEADER_CORRELATION_ID_OFFSET,
  HEADER_FLAGS_OFFSET,
  HEADER_KIND_OFFSET,
  HEADER_ROOM_ID_OFFSET,
  HEADER_VALUE_OFFSET,
} from './envelope-header.js';
import { RING_DATA_OFFSET, type RingViews } from './ring-layout.js';

/**
 * One record as the consumer's handler sees it. It is a view into the ring, and the same object is
 * reused for every record: every field, and the bytes behind `key` and `payload` (subarrays of the
 * SharedArrayBuffer, no copy), are valid only until the handler returns. Copy what must outlive it
 * (`toHeader()`, `payload.slice()`).
 */
export interface RingRecord extends EnvelopeHeader {
  readonly keyLength: number;
  readonly payloadLength: number;
  /** The key bytes, a subarray of the ring: valid only during the handler call. */
  readonly key: Uint8Array;
  /** The payload bytes, a subarray of the ring: valid only during the handler call. */
  readonly payload: Uint8Array;
  /** A copy of the fixed fields that may be kept. */
  toHeader(): EnvelopeHeader;
}

/** The consumer's reused record: reads fields straight from the ring, makes subarrays on demand. */
export class RingRecordView implements RingRecord {
  readonly #buffer: SharedArrayBuffer;
  readonly #u16: Uint16Array;
  readonly #u32: Uint32Array;
  readonly #f64: Float64Array;
  #pos = 0;
  #keyLength = 0;
  #payloadLength = 0;
  #key: Uint8Array | null = null;
  #payload: Uint8Array | null = null;

  constructor(views: RingViews) {
    this.#buffer = views.buffer;
    this.#u16 = views.u16;
    this.#u32 = views.u32;
    this.#f64 = views.f64;
  }

  /** Points the view at the record whose header starts at data offset `pos` (lengths already read). */
  moveTo(pos: number, keyLength: number, payloadLength: number): void {
    this.#pos = pos;
    this.#keyLength = keyLength;
    this.#payloadLength = payloadLength;
    this.#key = null;
    this.#payload = null;
  }

  get kind(): EnvelopeKind {
    return this.#u16[(this.#pos + HEADER_KIND_OFFSET) >> 1] as EnvelopeKind;
  }
  get flags(): number {
    return this.#u16[(this.#pos + HEADER_FLAGS_OFFSET) >> 1]!;
  }
  get connId(): number {
    return this.#u32[(this.#pos + HEADER_CONN_ID_OFFSET) >> 2]!;
  }
  get roomId(): number {
    return this.#u32[(this.#pos + HEADER_ROOM_ID_OFFSET) >> 2]!;
  }
  get correlationId(): number {
    return this.#u32[(this.#pos + HEADER_CORRELATION_ID_OFFSET) >> 2]!;
  }
  get value(): number {
    return this.#f64[(this.#pos + HEADER_VALUE_OFFSET) >> 3]!;
  }
  get keyLength(): number {
    return this.#keyLength;
  }
  get payloadLength(): number {
    return this.#payloadLength;
  }
  // A view built on the buffer costs about half of bytes.subarray (no species lookup).
  get key(): Uint8Array {
    this.#key ??= new Uint8Array(
      this.#buffer,
      RING_DATA_OFFSET + this.#pos + ENVELOPE_HEADER_BYTES,
      this.#keyLength,
    );
    return this.#key;
  }
  get payload(): Uint8Array {
    this.#payload ??= new Uint8Array(
      this.#buffer,
      RING_DATA_OFFSET + this.#pos + ENVELOPE_HEADER_BYTES + this.#keyLength,
      this.#payloadLength,
    );
    return this.#payload;
  }

  toHeader(): EnvelopeHeader {
    return {
      kind: this.kind,
      flags: this.flags,
      connId: this.connId,
      roomId: this.roomId,
      correlationId: this.correlationId,
      value: this.value,
    };
  }
}
