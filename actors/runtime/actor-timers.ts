import type { TimerId } from './actor-context.js';

interface TimerEntry {
  readonly handle: NodeJS.Timeout;
  readonly repeat: boolean;
  /** A tick is in the mailbox and not handled yet. */
  pending: boolean;
}

/**
 * One actor's timers. A timer never runs actor code: when it fires it asks the owner to queue its
 * message (`enqueue`), and the message is handled in the actor's turn like any other. A tick is
 * delivered only if its timer is still live (`claim`), so cancelling also drops a tick already queued.
 */
export class ActorTimers {
  readonly #entries = new Map<TimerId, TimerEntry>();
  readonly #enqueue: (id: TimerId, message: unknown) => void;
  #nextId = 1;

  constructor(enqueue: (id: TimerId, message: unknown) => void) {
    this.#enqueue = enqueue;
  }

  get size(): number {
    return this.#entries.size;
  }

  after(delayMs: number, message: unknown): TimerId {
    return this.#add(delayMs, message, false);
  }

  every(periodMs: number, message: unknown): TimerId {
    return this.#add(periodMs, message, true);
  }

  cancel(id: TimerId): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.#entries.delete(id);
    clearTimeout(entry.handle);
    return true;
  }

  /** At delivery: true if the tick should reach the actor (the timer was not cancelled meanwhile). */
  claim(id: TimerId): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    entry.pending = false;
    if (!entry.repeat) this.#entries.delete(id);
    return true;
  }

  clear(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.handle);
    this.#entries.clear();
  }

  #add(ms: number, message: unknown, repeat: boolean): TimerId {
    const id = this.#nextId++;
    const fire = (): void => {
      const entry = this.#entries.get(id);
      // An interval whose last tick is still queued skips this one rather than piling up.
      if (entry === undefined || entry.pending) return;
      entry.pending = true;
      this.#enqueue(id, message);
    };
    const handle = repeat ? setInterval(fire, ms) : setTimeout(fire, ms);
    this.#entries.set(id, { handle, repeat, pending: false });
    return id;
  }
}
