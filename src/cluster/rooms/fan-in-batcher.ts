import type { ShardDelivery } from '../../shard/index.js';

/** The window over which the batcher measures how fast deliveries arrive. */
const RATE_WINDOW_MS = 50;
/**
 * A fan-in is busy, and held, at this many deliveries per lingerMs or more: each socket of a room
 * then gets about that many frames per write instead of one.
 */
const BUSY_DELIVERIES_PER_LINGER = 2;

/**
 * Holds a busy node's room deliveries for up to `lingerMs` and hands them to the edge together.
 *
 * What a delivery costs a node is mostly the kernel's: one write per member socket (and, on the
 * same machine, the client's read). uWS writes every frame a socket got in one event-loop turn with
 * one syscall, so deliveries handed over in the same turn share it. Under a steady stream (2 or more
 * deliveries per lingerMs, measured over 50 ms windows) the batcher queues deliveries and flushes
 * them on a lingerMs timer; a quieter stream goes straight through, so an isolated message is not
 * delayed. Order is kept: while anything is queued, every delivery queues behind it.
 *
 *   arrivals:  d1 d2 . d3 d4 d5 . d6        (busy)
 *   edge:      [------ lingerMs ------] d1..d5 in one turn -> one write per socket
 */
export class FanInBatcher {
  readonly #deliver: (delivery: ShardDelivery) => void;
  readonly #lingerMs: number;
  readonly #flushTask = (): void => this.flush();
  #queue: ShardDelivery[] = [];
  #timer: NodeJS.Timeout | null = null;
  #windowStart = performance.now();
  #windowCount = 0;
  #busy = false;
  #batches = 0;

  /** `deliver` must not throw (RoomFanIn wraps the edge); lingerMs 0 never holds anything. */
  constructor(deliver: (delivery: ShardDelivery) => void, lingerMs: number) {
    this.#deliver = deliver;
    this.#lingerMs = lingerMs;
  }

  /** Deliveries waiting for the timer. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Flushes that handed over more than one delivery. */
  get batches(): number {
    return this.#batches;
  }

  /**
   * Delivers now, or queues behind what is queued. `transient`: the body is only valid during
   * this call (a view into a ring), so a queued copy of it is kept.
   */
  push(delivery: ShardDelivery, transient: boolean): void {
    if (this.#lingerMs === 0) {
      this.#deliver(delivery);
      return;
    }
    this.#count();
    if (this.#queue.length === 0 && !this.#busy) {
      this.#deliver(delivery);
      return;
    }
    // Buffer.from copies out of Node's pooled slab; slice() would malloc a backing store each time.
    this.#queue.push(transient ? { ...delivery, body: Buffer.from(delivery.body) } : delivery);
    this.#timer ??= setTimeout(this.#flushTask, this.#lingerMs);
  }

  /** Hands everything queued to the edge now, in order. */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const queue = this.#queue;
    if (queue.length === 0) return;
    this.#queue = [];
    if (queue.length > 1) this.#batches++;
    for (const delivery of queue) this.#deliver(delivery);
  }

  #count(): void {
    this.#windowCount++;
    const now = performance.now();
    const elapsed = now - this.#windowStart;
    if (elapsed < RATE_WINDOW_MS) return;
    this.#busy = this.#windowCount * this.#lingerMs >= BUSY_DELIVERIES_PER_LINGER * elapsed;
    this.#windowStart = now;
    this.#windowCount = 0;
  }
}
