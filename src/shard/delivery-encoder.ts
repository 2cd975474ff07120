import { ShardError } from './shard-error.js';
import {
  DELIVERY_EPOCH_LENGTH_OFFSET,
  DELIVERY_EPOCH_OFFSET,
  DELIVERY_INGRESS_OFFSET,
  DELIVERY_TS_OFFSET,
} from './shard-wire.js';

const MAX_EPOCH_BYTES = 255;
const INITIAL_SCRATCH_BYTES = 4096;
/** Epochs whose bytes are kept (one per live room); past it the cache starts over. */
export const EPOCH_BYTES_CAPACITY = 4096;
const encoder = new TextEncoder();

/**
 * Encodes a delivery's ring payload (layout in shard-wire.ts) into one reused scratch buffer: the
 * ring copies it at once, so a fresh buffer per delivery (a malloc'ed backing store for anything
 * over 64 bytes, plus a DataView that makes V8 materialise an ArrayBuffer) would be garbage at once.
 * The result is valid until the next encode.
 */
export class DeliveryEncoder {
  #scratch = new Uint8Array(INITIAL_SCRATCH_BYTES);
  #view = new DataView(this.#scratch.buffer);
  readonly #epochs = new Map<string, Uint8Array>();

  encode(ts: number, ingressTs: number, epoch: string, body: Uint8Array): Uint8Array {
    const epochBytes = this.#epochBytesOf(epoch);
    const length = DELIVERY_EPOCH_OFFSET + epochBytes.length + body.length;
    if (length > this.#scratch.length) {
      let capacity = this.#scratch.length * 2;
      while (capacity < length) capacity *= 2;
      this.#scratch = new Uint8Array(capacity);
      this.#view = new DataView(this.#scratch.buffer);
    }
    const out = this.#scratch;
    this.#view.setFloat64(DELIVERY_TS_OFFSET, ts, true);
    this.#view.setFloat64(DELIVERY_INGRESS_OFFSET, ingressTs, true);
    out[DELIVERY_EPOCH_LENGTH_OFFSET] = epochBytes.length;
    out.set(epochBytes, DELIVERY_EPOCH_OFFSET);
    out.set(body, DELIVERY_EPOCH_OFFSET + epochBytes.length);
    return out.subarray(0, length);
  }

  #epochBytesOf(epoch: string): Uint8Array {
    let bytes = this.#epochs.get(epoch);
    if (bytes !== undefined) return bytes;
    bytes = encoder.encode(epoch);
    if (bytes.length > MAX_EPOCH_BYTES) {
      throw new ShardError(
        'ARQ_ERR_SHARD_PROTOCOL',
        `room epoch longer than ${MAX_EPOCH_BYTES} bytes`,
      );
    }
    if (this.#epochs.size >= EPOCH_BYTES_CAPACITY) this.#epochs.clear();
    this.#epochs.set(epoch, bytes);
    return bytes;
  }
}
