import type { TimerId } from './actor-context.js';
import { FifoQueue } from './fifo-queue.js';
import type { ReplyTarget } from './remote-envelope.js';
import type { SystemMessage } from './system-message.js';

export type MailboxEntry =
  | { readonly type: 'tell'; readonly message: unknown }
  | { readonly type: 'ask'; readonly message: unknown; readonly reply: ReplyTarget }
  | { readonly type: 'system'; readonly message: SystemMessage }
  | { readonly type: 'timer'; readonly message: unknown; readonly timer: TimerId };

/**
 * One actor's FIFO of pending entries. The bound counts tells and asks only: system messages
 * (down, exit, overflow) and timer ticks always get in, because dropping them would break monitor,
 * link and timer guarantees, and their number is bounded by the actor's own monitors, links, timers.
 */
export class Mailbox {
  readonly #queue = new FifoQueue<MailboxEntry>();
  readonly #capacity: number;
  #userEntries = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get length(): number {
    return this.#queue.length;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Appends the entry; false (and nothing queued) when a tell or ask meets a full mailbox. */
  offer(entry: MailboxEntry): boolean {
    if (entry.type === 'tell' || entry.type === 'ask') {
      if (this.#userEntries >= this.#capacity) return false;
      this.#userEntries++;
    }
    this.#queue.push(entry);
    return true;
  }

  shift(): MailboxEntry | undefined {
    const entry = this.#queue.shift();
    if (entry !== undefined && (entry.type === 'tell' || entry.type === 'ask')) this.#userEntries--;
    return entry;
  }
}
