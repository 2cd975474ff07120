import { ENVELOPE_HEADER_BYTES, type EnvelopeHeader } from './envelope-header.js';

/** One envelope waiting for ring space: its own copies, since the caller may reuse its buffers. */
export interface QueuedEnvelope {
  readonly header: EnvelopeHeader;
  readonly key: Uint8Array;
  readonly payload: Uint8Array;
  /** Header + key + payload: what counts against maxQueuedBytes. */
  readonly bytes: number;
}

/** FIFO of envelopes a channel could not write yet; O(1) push and shift. */
export class OutboundQueue {
  #items: (QueuedEnvelope | undefined)[] = [];
  #head = 0;
  #bytes = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Copies the envelope in (header fields, key and payload bytes). */
  push(header: EnvelopeHeader, key: Uint8Array, payload: Uint8Array): void {
    const bytes = ENVELOPE_HEADER_BYTES + key.length + payload.length;
    this.#items.push({
      header: {
        kind: header.kind,
        flags: header.flags,
        connId: header.connId,
        roomId: header.roomId,
        correlationId: header.correlationId,
        value: header.value,
      },
      key: key.slice(),
      payload: payload.slice(),
      bytes,
    });
    this.#bytes += bytes;
  }

  peek(): QueuedEnvelope | undefined {
    return this.#items[this.#head];
  }

  shift(): void {
    const item = this.#items[this.#head];
    if (item === undefined) return;
    this.#items[this.#head] = undefined;
    this.#head++;
    this.#bytes -= item.bytes;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Empties the queue; returns how many envelopes were dropped. */
  clear(): number {
    const dropped = this.length;
    this.#items = [];
    this.#head = 0;
    this.#bytes = 0;
    return dropped;
  }
}
