import {
  allocateRingPair,
  type EnvelopeHeader,
  EnvelopeKind,
  type RingPair,
  type RingRecord,
  ThreadChannel,
} from '../transport/index.js';
import type { ShardThread } from './inline-shard.js';
import { ShardError, ShardReplyError } from './shard-error.js';
import { decodeJson, FLAG_ERROR } from './shard-wire.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A header as a sender gives it: the slot adds the correlation id. */
export type SlotHeader = Omit<EnvelopeHeader, 'correlationId'>;
/** A SlotHeader that a sender reuses between sends (the slot copies its fields at once). */
export type ReusableSlotHeader = Mutable<SlotHeader>;

/**
 * Called exactly once with the shard's answer, synchronously while the edge drains the ring, so that
 * whatever the caller does (subscribe a socket, send a reply) happens before the next envelope from
 * that shard is handled: a joiner cannot miss a delivery that follows its join reply.
 */
export type ReplyCallback = (error: Error | null, value: unknown) => void;

interface Pending {
  readonly done: ReplyCallback;
  readonly sentAt: number;
}

export interface ShardSlotOptions {
  readonly index: number;
  readonly ringBytes: number;
  readonly maxQueuedBytes: number;
}

/**
 * The edge's side of a ring never polls on a timer: the shard's flush wakes it. A timer poll there
 * only added wake-ups and up to a period of latency (measured in bench/RESULTS.md, session 5).
 */
const EDGE_LINGER_MS = 0;

const MAX_CORRELATION_ID = 0xffff_ffff;

/**
 * The edge's side of one shard: the ring pair (kept across restarts of the thread), the requests
 * awaiting replies, and the current worker. Requests are answered in order by the shard, but the
 * pool matches them by correlation id so that replies and deliveries may interleave.
 */
export class ShardSlot {
  readonly #index: number;
  readonly #pair: RingPair;
  readonly #channel: ThreadChannel;
  readonly #pending = new Map<number, Pending>();
  #nextCorr = 1;
  /** Reused by every send: the channel copies the fields at once (into the ring or its queue). */
  readonly #header: Mutable<EnvelopeHeader> = {
    kind: EnvelopeKind.Control,
    flags: 0,
    connId: 0,
    roomId: 0,
    correlationId: 0,
    value: 0,
  };
  #worker: ShardThread | null = null;
  #starts = 0;

  constructor(options: ShardSlotOptions) {
    this.#index = options.index;
    this.#pair = allocateRingPair({ capacityBytes: options.ringBytes });
    this.#channel = ThreadChannel.open(this.#pair, 'edge', {
      maxQueuedBytes: options.maxQueuedBytes,
      lingerMs: EDGE_LINGER_MS,
    });
  }

  get index(): number {
    return this.#index;
  }
  get pair(): RingPair {
    return this.#pair;
  }
  get channel(): ThreadChannel {
    return this.#channel;
  }
  get pendingCount(): number {
    return this.#pending.size;
  }
  get worker(): ShardThread | null {
    return this.#worker;
  }
  get starts(): number {
    return this.#starts;
  }

  attach(worker: ShardThread): void {
    this.#worker = worker;
    this.#starts++;
  }

  detach(): void {
    this.#worker = null;
  }

  /** Sends; `done` gets the shard's reply (JSON body, or a ShardReplyError), exactly once. */
  request(header: SlotHeader, key: Uint8Array, payload: Uint8Array, done: ReplyCallback): void {
    const corr = this.#nextCorr;
    this.#nextCorr = corr === MAX_CORRELATION_ID ? 1 : corr + 1;
    // Throws ARQ_ERR_RING_FULL before anything is registered: the caller answers `overloaded`.
    this.#channel.send(this.#headerOf(header, corr), key, payload);
    this.#pending.set(corr, { done, sentAt: performance.now() });
  }

  /** Fire and forget (correlation id 0: the shard sends no reply). */
  send(header: SlotHeader, key: Uint8Array, payload: Uint8Array): void {
    this.#channel.send(this.#headerOf(header, 0), key, payload);
  }

  #headerOf(fields: SlotHeader, correlationId: number): EnvelopeHeader {
    const header = this.#header;
    header.kind = fields.kind;
    header.flags = fields.flags;
    header.connId = fields.connId;
    header.roomId = fields.roomId;
    header.correlationId = correlationId;
    header.value = fields.value;
    return header;
  }

  /** Settles the request a Reply or Control record answers; false if none waits for it. */
  settle(record: RingRecord, decodeControl: (bytes: Uint8Array) => unknown): boolean {
    const pending = this.#pending.get(record.correlationId);
    if (pending === undefined) return false;
    this.#pending.delete(record.correlationId);
    let error: Error | null = null;
    let value: unknown = null;
    try {
      // By the answer's kind: a Control request (e.g. history) may be refused by a Reply error.
      if (record.kind === EnvelopeKind.Control) {
        value = decodeControl(record.payload);
      } else if ((record.flags & FLAG_ERROR) !== 0) {
        const { code, message } = decodeJson(record.payload) as { code: string; message: string };
        error = new ShardReplyError(code, message);
      } else {
        value = decodeJson(record.payload);
      }
    } catch (err) {
      error = new ShardError('ARQ_ERR_SHARD_PROTOCOL', 'undecodable shard reply', { cause: err });
    }
    pending.done(error, value);
    return true;
  }

  /** Fails every request still waiting (its shard died before answering). */
  failAll(reason: string): number {
    const failed = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of failed) {
      pending.done(
        new ShardError('ARQ_ERR_SHARD_DOWN', `shard ${this.#index} went down: ${reason}`),
        null,
      );
    }
    return failed.length;
  }

  /** Fails requests older than `timeoutMs` (insertion order is age order). */
  expire(timeoutMs: number): number {
    const deadline = performance.now() - timeoutMs;
    let count = 0;
    for (const [corr, pending] of this.#pending) {
      if (pending.sentAt > deadline) break;
      this.#pending.delete(corr);
      pending.done(
        new ShardError(
          'ARQ_ERR_SHARD_TIMEOUT',
          `shard ${this.#index} did not answer in ${timeoutMs} ms`,
        ),
        null,
      );
      count++;
    }
    return count;
  }
}
