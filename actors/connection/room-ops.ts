/** Frames of one room that wait for the join or leave in flight before them. */
export type WaitingOps = (() => void)[];

/**
 * Joins and leaves of a connection, one room at a time: while a join or leave of a room waits for
 * the room's answer, later joins and leaves of that room wait behind it, so the client sees them
 * applied in the order it sent them (a pipelined join then leave leaves, not fails).
 */
export class RoomOps {
  /** Made on the first op and dropped when none is in flight: an idle connection holds no Map. */
  #waiting: Map<string, WaitingOps> | null = null;

  /** Rooms with an op in flight. */
  get size(): number {
    return this.#waiting?.size ?? 0;
  }

  /** True while a join or leave of `roomKey` waits for the room's answer. */
  has(roomKey: string): boolean {
    return this.#waiting?.has(roomKey) === true;
  }

  /** Queues `run` behind the op in flight of `roomKey`; false when none is in flight. */
  defer(roomKey: string, run: () => void): boolean {
    const waiting = this.#waiting?.get(roomKey);
    if (waiting === undefined) return false;
    waiting.push(run);
    return true;
  }

  /** Marks an op of `roomKey` in flight while `send` asks the room; undone if `send` throws. */
  start(roomKey: string, send: () => void): void {
    this.#waiting ??= new Map();
    this.#waiting.set(roomKey, []);
    try {
      send();
    } catch (err) {
      this.#forget(roomKey);
      throw err;
    }
  }

  /** The room answered: the ops that waited, for `resume` once the answer is handled. */
  settle(roomKey: string): WaitingOps {
    const waiting = this.#waiting?.get(roomKey) ?? [];
    this.#forget(roomKey);
    return waiting;
  }

  /** Runs waiting ops in order while `open()`, until one of them is in flight again. */
  resume(roomKey: string, waiting: WaitingOps, open: () => boolean): void {
    while (waiting.length > 0 && open()) {
      const next = this.#waiting?.get(roomKey);
      if (next !== undefined) {
        next.push(...waiting);
        return;
      }
      (waiting.shift() as () => void)();
    }
  }

  clear(): void {
    this.#waiting = null;
  }

  #forget(roomKey: string): void {
    this.#waiting?.delete(roomKey);
    if (this.#waiting?.size === 0) this.#waiting = null;
  }
}
