import { FifoQueue } from './fifo-queue.js';

/** Something the scheduler runs in turns: an actor. */
export interface Runnable {
  /** True when a turn would make progress (messages waiting, a start or stop pending, not busy). */
  readonly runnable: boolean;
  /** Handles at most `limit` messages; returns how many units of work it did. */
  runTurn(limit: number): number;
}

/**
 * Runs ready actors round robin: at most `messagesPerTurn` messages per actor per turn, at most
 * `messagesPerTick` in total per tick, then yields to the event loop (setImmediate) so one busy
 * actor cannot starve the others or the thread's I/O and timers.
 *
 * Work that arrives from outside a tick (a tell from I/O code, a timer) waits for the next tick, so
 * a tell never runs a receive on the caller's stack. An actor whose async callback settles resumes
 * at once (from that microtask) while the current tick's budget lasts: otherwise every awaiting
 * actor would lose a whole event-loop turn per message.
 */
export class Scheduler {
  readonly #ready = new FifoQueue<Runnable>();
  readonly #queued = new Set<Runnable>();
  readonly #messagesPerTurn: number;
  readonly #messagesPerTick: number;
  #budget: number;
  #tickScheduled = false;
  #draining = false;
  #ticks = 0;

  constructor(messagesPerTurn: number, messagesPerTick: number) {
    this.#messagesPerTurn = messagesPerTurn;
    this.#messagesPerTick = messagesPerTick;
    this.#budget = messagesPerTick;
  }

  /** Ticks run so far (each is one setImmediate callback). */
  get ticks(): number {
    return this.#ticks;
  }

  /** New work for `r`: it runs in the next tick (or later in the current one). */
  wake(r: Runnable): void {
    if (!this.#enqueue(r)) return;
    if (!this.#draining) this.#scheduleTick();
  }

  /** `r`'s async callback settled: continue now if this tick's budget allows. */
  resume(r: Runnable): void {
    if (!this.#enqueue(r) || this.#draining) return;
    if (this.#budget > 0) this.#drain();
    else this.#scheduleTick();
  }

  #enqueue(r: Runnable): boolean {
    if (this.#queued.has(r) || !r.runnable) return false;
    this.#queued.add(r);
    this.#ready.push(r);
    return true;
  }

  #scheduleTick(): void {
    if (this.#tickScheduled) return;
    this.#tickScheduled = true;
    setImmediate(this.#tick);
  }

  readonly #tick = (): void => {
    this.#tickScheduled = false;
    this.#ticks++;
    this.#budget = this.#messagesPerTick;
    this.#drain();
  };

  #drain(): void {
    this.#draining = true;
    try {
      while (this.#budget > 0) {
        const r = this.#ready.shift();
        if (r === undefined) break;
        this.#queued.delete(r);
        const done = r.runTurn(Math.min(this.#messagesPerTurn, this.#budget));
        // A turn always costs at least one unit, so the loop ends even if an actor does nothing.
        this.#budget -= Math.max(1, done);
        this.#enqueue(r);
      }
    } finally {
      this.#draining = false;
    }
    if (this.#ready.length > 0) this.#scheduleTick();
  }
}
