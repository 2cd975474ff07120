import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { EnvelopeHeader } from './envelope-header.js';
import { TransportError } from './errors.js';
import { OutboundQueue } from './outbound-queue.js';
import type { RingConsumer, RingRecordHandler } from './ring-consumer.js';
import { assertRingPair, type RingPair } from './ring-pair.js';
import type { RingProducer } from './ring-producer.js';
import { SpscRing } from './spsc-ring.js';

const RESOLVED = Promise.resolve();

export const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_DRAIN_BATCH = 1024;
/**
 * By default a receiver sleeps on the ring after every drain and the sender's flush wakes it: the
 * lowest latency. lingerMs > 0 polls a busy stream on a timer instead (one wake-up per lingerMs
 * rather than per burst: less CPU, up to lingerMs more latency). See ARCHITECTURE.md.
 */
export const DEFAULT_LINGER_MS = 0;
/** The window over which receive() measures the inbound rate. */
const RATE_WINDOW_MS = 50;
/** A stream is busy, and polled instead of waited for, at this many records per lingerMs or more. */
const BUSY_RECORDS_PER_POLL = 4;
/** Empty polls in a row that end a busy stream's polling. */
const EMPTY_POLLS_TO_SLEEP = 3;

export type ChannelSide = 'edge' | 'shard';

export interface ThreadChannelOptions {
  /** Bytes (header + key + payload) that may wait for ring space before send throws ARQ_ERR_RING_FULL. */
  readonly maxQueuedBytes?: number;
  /** Records handed to the receive handler per drain before yielding to the event loop. */
  readonly maxDrainBatch?: number;
  /**
   * After a wake-up that came sooner than this (a busy stream), receive() polls the ring every
   * lingerMs instead of sleeping on it, so the peer's flushes need not wake this thread; it sleeps
   * again after a poll that finds nothing. 0 sleeps after every drain (one wake-up per burst).
   */
  readonly lingerMs?: number;
}

/** What a reset threw away, so that nothing is lost silently. */
export interface ChannelResetResult {
  /** The new epoch of the outbound ring (the inbound one is reset too). */
  readonly epoch: number;
  /** Envelopes that were still in this side's outbound queue. */
  readonly discardedQueued: number;
}

/**
 * One side of an edge-shard pair: sends on its outbound ring, receives from its inbound ring.
 *
 * send() never fails for want of ring space: past the ring it queues (copies) the envelope and a pump
 * writes the queue in order as the consumer frees space, until the queue holds maxQueuedBytes; then
 * send throws ARQ_ERR_RING_FULL and the caller decides (e.g. reply `overloaded`). Envelopes written
 * in one event-loop turn are published by one flush in a microtask: one burst, one notify at most.
 */
export class ThreadChannel {
  readonly #out: SpscRing;
  readonly #in: SpscRing;
  readonly #producer: RingProducer;
  readonly #consumer: RingConsumer;
  readonly #queue = new OutboundQueue();
  readonly #maxQueuedBytes: number;
  readonly #maxDrainBatch: number;
  readonly #lingerMs: number;
  readonly #flushTask = (): void => {
    this.#flushScheduled = false;
    this.#producer.flush();
  };
  #drainedWaiters: (() => void)[] = [];
  #flushScheduled = false;
  #pumping = false;
  #receiving = false;
  #closed = false;
  #abandoned = false;

  /** Opens `side` of a pair made by allocateRingPair (received, e.g., in workerData). */
  static open(
    pair: RingPair,
    side: ChannelSide,
    options: ThreadChannelOptions = {},
  ): ThreadChannel {
    return new ThreadChannel(assertRingPair(pair), side, options);
  }

  private constructor(pair: RingPair, side: ChannelSide, options: ThreadChannelOptions) {
    const maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    if (!Number.isSafeInteger(maxQueuedBytes) || maxQueuedBytes < 0) {
      throw new TransportError(
        'ARQ_ERR_RING_OPTIONS',
        `options.maxQueuedBytes must be a non-negative integer, got ${maxQueuedBytes}`,
      );
    }
    const maxDrainBatch = options.maxDrainBatch ?? DEFAULT_MAX_DRAIN_BATCH;
    if (!Number.isSafeInteger(maxDrainBatch) || maxDrainBatch < 1) {
      throw new TransportError(
        'ARQ_ERR_RING_OPTIONS',
        `options.maxDrainBatch must be a positive integer, got ${maxDrainBatch}`,
      );
    }
    const lingerMs = options.lingerMs ?? DEFAULT_LINGER_MS;
    if (!Number.isSafeInteger(lingerMs) || lingerMs < 0 || lingerMs > 1000) {
      throw new TransportError(
        'ARQ_ERR_RING_OPTIONS',
        `options.lingerMs must be an integer from 0 to 1000, got ${lingerMs}`,
      );
    }
    if (side !== 'edge' && side !== 'shard') {
      throw new TransportError(
        'ARQ_ERR_RING_OPTIONS',
        `side must be 'edge' or 'shard', got ${side}`,
      );
    }
    this.#maxQueuedBytes = maxQueuedBytes;
    this.#maxDrainBatch = maxDrainBatch;
    this.#lingerMs = lingerMs;
    this.#out = new SpscRing(side === 'edge' ? pair.edgeToShard : pair.shardToEdge);
    this.#in = new SpscRing(side === 'edge' ? pair.shardToEdge : pair.edgeToShard);
    this.#producer = this.#out.producer();
    this.#consumer = this.#in.consumer();
  }

  /** Envelopes waiting for ring space. */
  get queuedCount(): number {
    return this.#queue.length;
  }

  /** Bytes (header + key + payload) waiting for ring space. */
  get queuedBytes(): number {
    return this.#queue.bytes;
  }

  get maxQueuedBytes(): number {
    return this.#maxQueuedBytes;
  }

  /** Wake-ups this side's flushes issued (the peer was asleep); a burst should cost at most one. */
  get notifyCount(): number {
    return this.#producer.notifyCount;
  }

  /** Largest envelope (header + key + payload) send accepts. */
  get maxRecordBytes(): number {
    return this.#out.maxRecordBytes;
  }

  /**
   * Sends one envelope, in order after every earlier send. Written into the ring at once when it fits
   * (one copy), else queued (copied). Throws ARQ_ERR_RECORD_TOO_LARGE for an envelope the ring can
   * never carry, ARQ_ERR_RING_FULL when the queue would pass maxQueuedBytes (nothing is queued then).
   */
  send(header: EnvelopeHeader, key: Uint8Array, payload: Uint8Array): void {
    if (this.#closed) {
      if (this.#abandoned) return;
      throw new TransportError('ARQ_ERR_RING_STATE', 'send on a closed channel');
    }
    if (this.#queue.length === 0 && this.#producer.tryWrite(header, key, payload)) {
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        // Not queueMicrotask: Node wraps each of those in an AsyncResource and a bound function,
        // which is most of what a send costs when every client frame is its own turn.
        void RESOLVED.then(this.#flushTask);
      }
      return;
    }
    const bytes = this.#producer.checkRecord(header, key.length, payload.length);
    if (this.#queue.bytes + bytes > this.#maxQueuedBytes) {
      throw new TransportError(
        'ARQ_ERR_RING_FULL',
        `outbound ring is full and ${this.#queue.bytes} bytes are queued; ` +
          `${bytes} more would pass options.maxQueuedBytes ${this.#maxQueuedBytes}`,
      );
    }
    this.#queue.push(header, key, payload);
    if (!this.#pumping) void this.#pump();
  }

  /**
   * Resolves once the outbound queue is empty (at once if it is): lets a bulk sender pace itself on
   * the peer instead of on maxQueuedBytes.
   */
  drained(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainedWaiters.push(resolve));
  }

  /** Publishes what send wrote in this turn now instead of at the end of the turn. */
  flush(): void {
    this.#producer.flush();
  }

  /**
   * Hands every inbound envelope to `handler` until close(). Sleeps on the ring (never blocks the
   * event loop) and keeps the thread alive meanwhile, or, while the stream is busy, polls it every
   * lingerMs on a timer; yields to the loop after each full batch. The
   * record is a reused view valid only during the call (see RingRecord). Resolves on close(); rejects
   * with the handler's error, which stops the loop (its record counts as consumed).
   */
  async receive(handler: RingRecordHandler): Promise<void> {
    if (this.#receiving) {
      throw new TransportError('ARQ_ERR_RING_STATE', 'receive is already running on this channel');
    }
    this.#receiving = true;
    const lingerMs = this.#lingerMs;
    const consumer = this.#consumer;
    // The inbound rate, measured over RATE_WINDOW_MS windows, decides how to wait: a busy stream
    // (at least BUSY_RECORDS_PER_POLL records per lingerMs) is polled every lingerMs, so the peer's
    // flushes find this side awake and need not wake it; a quiet one sleeps on the ring, woken by
    // the peer's notify. EMPTY_POLLS_TO_SLEEP empty polls in a row end the polling at once.
    let windowStart = performance.now();
    let windowRecords = 0;
    let busy = false;
    let emptyPolls = 0;
    try {
      while (!this.#closed) {
        const handled = consumer.drain(handler, this.#maxDrainBatch);
        if (lingerMs > 0) {
          windowRecords += handled;
          const now = performance.now();
          if (now - windowStart >= RATE_WINDOW_MS) {
            busy = windowRecords * lingerMs >= BUSY_RECORDS_PER_POLL * (now - windowStart);
            windowStart = now;
            windowRecords = 0;
          }
        }
        if (handled === this.#maxDrainBatch) {
          await nextTurn();
        } else if (busy) {
          emptyPolls = handled === 0 ? emptyPolls + 1 : 0;
          if (emptyPolls >= EMPTY_POLLS_TO_SLEEP) busy = false;
          else await sleep(lingerMs);
        } else if (handled === 0) {
          await consumer.waitForData();
        }
      }
    } finally {
      this.#receiving = false;
    }
  }

  /**
   * Hands every envelope already published on the inbound ring to `handler` now, outside the
   * receive loop; returns how many. For the surviving side after its peer died: what the peer
   * published before dying is valid and is taken before resetAfterPeerExit() discards the rest.
   */
  drainAvailable(handler: RingRecordHandler): number {
    let total = 0;
    for (;;) {
      const handled = this.#consumer.drain(handler, this.#maxDrainBatch);
      total += handled;
      if (handled < this.#maxDrainBatch) return total;
    }
  }

  /**
   * For the supervisor, on this (surviving) side's thread, after the peer thread has exited and
   * before its replacement opens the pair: resets both rings (see SpscRing.reset) and drops this
   * side's outbound queue, reporting how much it dropped.
   */
  resetAfterPeerExit(): ChannelResetResult {
    const epoch = this.#out.reset();
    this.#in.reset();
    const discardedQueued = this.#queue.clear();
    this.#settleDrained();
    return { epoch, discardedQueued };
  }

  /**
   * Closes for an owner torn down as a terminated thread would be (an inline shard killed): what
   * its parts still send is dropped, as a dead thread's writes would never arrive, instead of
   * thrown at them. The peer resets the rings next.
   */
  abandon(): number {
    this.#abandoned = true;
    return this.close();
  }

  /** Stops receive() and the send pump; returns how many queued envelopes were dropped. */
  close(): number {
    if (this.#closed) return 0;
    this.#closed = true;
    this.#producer.flush();
    this.#consumer.wake();
    this.#producer.wake();
    const discarded = this.#queue.clear();
    this.#settleDrained();
    return discarded;
  }

  /** Writes the queue into the ring in order, sleeping on the ring while it is full. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    const producer = this.#producer;
    const queue = this.#queue;
    try {
      while (!this.#closed) {
        const next = queue.peek();
        if (next === undefined) break;
        if (producer.tryWrite(next.header, next.key, next.payload)) queue.shift();
        else await producer.waitForSpace();
      }
      producer.flush();
    } finally {
      this.#pumping = false;
    }
    if (queue.length === 0) this.#settleDrained();
  }

  #settleDrained(): void {
    const waiters = this.#drainedWaiters;
    if (waiters.length === 0) return;
    this.#drainedWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
