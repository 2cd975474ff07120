import { PresenceError } from './errors.js';
import { type PresenceChanges, type PresenceDiffBody, presenceDiffOf } from './presence-diff.js';
import type { PresenceEntry } from './presence-entry.js';

/** Where coalesced changes go: one `presence_diff` body per topic per period. */
export type PresenceDiffSink = (topic: string, body: PresenceDiffBody) => void;

export interface PresenceCoalescerOptions {
  /** Length of a topic's window; 0 sends every change at once. */
  readonly periodMs: number;
  readonly sink: PresenceDiffSink;
}

/** A window's pending entries, by dot: entries are immutable and their dot names them for ever. */
interface Window {
  readonly joins: Map<string, PresenceEntry>;
  readonly leaves: Map<string, PresenceEntry>;
  /** Called once the pending changes have gone out (see afterPending). */
  readonly waiters: (() => void)[];
  timer: ReturnType<typeof setTimeout>;
}

function dotOf(entry: PresenceEntry): string {
  return `${entry.node}\u0000${entry.incarnation}\u0000${entry.clock}`;
}

/**
 * Coalesces a topic's presence changes so that a room of N members costs one `presence_diff` per
 * member per period instead of one per change: N joins cost about N * (N / rate / period) frames
 * instead of N^2 / 2.
 *
 *   change ──► topic quiet? ──yes──► send at once, open a window of periodMs
 *                  │no
 *                  ▼
 *            add to the window ──(window ends)──► pending? send one diff, open the next window
 *                                                  none?   close: the next change goes at once
 *
 * A lone change therefore waits for nothing; a burst waits at most one period. An entry that
 * appears and disappears inside one window is sent as a leave only (its join is dropped): members
 * that joined mid-window saw it in their `presence_state`. Receivers apply diffs as the protocol
 * says (a join replaces a conn's meta, a leave of an unknown conn is nothing, a conn in both
 * lists rejoined), so every member, early or late, converges when the window's diff arrives.
 */
export class PresenceCoalescer {
  readonly #periodMs: number;
  readonly #sink: PresenceDiffSink;
  readonly #windows = new Map<string, Window>();

  constructor(options: PresenceCoalescerOptions) {
    if (!Number.isInteger(options.periodMs) || options.periodMs < 0) {
      throw new PresenceError(
        'ARQ_ERR_PRESENCE_OPTIONS',
        `options.periodMs must be an integer >= 0, got ${String(options.periodMs)}`,
      );
    }
    if (typeof options.sink !== 'function') {
      throw new PresenceError('ARQ_ERR_PRESENCE_OPTIONS', 'options.sink must be a function');
    }
    this.#periodMs = options.periodMs;
    this.#sink = options.sink;
  }

  push(changes: PresenceChanges): void {
    for (const [topic, topicChanges] of changes) {
      if (topicChanges.joins.length === 0 && topicChanges.leaves.length === 0) continue;
      const window = this.#windows.get(topic);
      if (window === undefined) {
        this.#sink(topic, presenceDiffOf(topicChanges));
        if (this.#periodMs > 0) this.#open(topic);
        continue;
      }
      for (const entry of topicChanges.joins) window.joins.set(dotOf(entry), entry);
      for (const entry of topicChanges.leaves) {
        // Still sent when its join never was: a member that joined mid-window got the entry in
        // its presence_state. For the others, a leave of a conn they do not know is nothing.
        const dot = dotOf(entry);
        window.joins.delete(dot);
        window.leaves.set(dot, entry);
      }
    }
  }

  /**
   * Calls `then` once every change of `topic` so far has been sent: at once when none is pending,
   * else right after the window's diff. A joiner subscribes to the topic and takes its
   * `presence_state` then, so that it sees each change exactly once (in the state or in a diff
   * after it), never its own join or one it already has.
   */
  afterPending(topic: string, then: () => void): void {
    const window = this.#windows.get(topic);
    if (window === undefined || (window.joins.size === 0 && window.leaves.size === 0)) then();
    else window.waiters.push(then);
  }

  /** Sends whatever is pending now and closes every window (the node is stopping). */
  flushAll(): void {
    for (const topic of [...this.#windows.keys()]) {
      const window = this.#windows.get(topic);
      if (window === undefined) continue;
      clearTimeout(window.timer);
      this.#windows.delete(topic);
      this.#send(topic, window);
      for (const then of window.waiters) then();
    }
  }

  #open(topic: string): void {
    const timer = setTimeout(() => this.#end(topic), this.#periodMs);
    // A pending window must not keep a process alive that has nothing else to do.
    timer.unref?.();
    this.#windows.set(topic, { joins: new Map(), leaves: new Map(), waiters: [], timer });
  }

  #end(topic: string): void {
    const window = this.#windows.get(topic);
    if (window === undefined) return;
    this.#windows.delete(topic);
    if (this.#send(topic, window)) this.#open(topic);
    for (const then of window.waiters) then();
  }

  /** Sends a window's pending changes, if any; true if something was sent. */
  #send(topic: string, window: Window): boolean {
    if (window.joins.size === 0 && window.leaves.size === 0) return false;
    this.#sink(
      topic,
      presenceDiffOf({ joins: [...window.joins.values()], leaves: [...window.leaves.values()] }),
    );
    return true;
  }
}
