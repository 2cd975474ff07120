/**
 * A small typed event emitter (no `node:events`: the SDK runs in browsers too). `Events` maps each
 * event name to the tuple of its listener's arguments.
 */
export type Listener<Args extends unknown[]> = (...args: Args) => void;

/**
 * Runs a user callback. A throwing callback must not leave the client half-way through a frame, so
 * the error is rethrown on a fresh task: it still surfaces (uncaught, as it would from an
 * EventEmitter) but after the client's own state is consistent.
 */
export function callSafely<Args extends unknown[]>(fn: Listener<Args>, ...args: Args): void {
  try {
    fn(...args);
  } catch (err) {
    queueMicrotask(() => {
      throw err;
    });
  }
}

export class Emitter<Events extends { [name: string]: unknown[] }> {
  // Each set holds listeners of its own event's type; the map cannot say so, hence `unknown`.
  readonly #listeners = new Map<keyof Events, Set<unknown>>();

  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): void {
    this.#listeners.get(event)?.delete(listener);
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    // A copy: a listener may remove itself (or others) while we iterate.
    for (const listener of [...set]) callSafely(listener as Listener<Events[E]>, ...args);
  }
}
