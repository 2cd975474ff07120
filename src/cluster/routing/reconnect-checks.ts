import type { NatsConnection, Status } from '@nats-io/transport-node';

/**
 * After the NATS connection comes back, each remote room of interest asks its owner for its
 * position, this long after: an owner whose write failed in the outage reads its stream again
 * and delivers what was stored anyway, and that fan-out can be lost while subscriptions return;
 * with nothing after it, no later offset would show the gap.
 */
const POSITION_CHECKS_AFTER_RECONNECT_MS = [1_000, 5_000] as const;

export interface ReconnectChecksOptions {
  readonly connection: NatsConnection;
  /** False once the gateway no longer serves (closed): a due check is skipped. */
  readonly active: () => boolean;
  /** Asks the owners of the remote rooms of interest for their positions (RoomFanIn). */
  readonly check: () => void;
}

/**
 * Follows the NATS connection's status and, after each reconnect, runs the position checks at
 * POSITION_CHECKS_AFTER_RECONNECT_MS, while the gateway still serves.
 */
export class ReconnectChecks {
  readonly #o: ReconnectChecksOptions;
  #status: AsyncIterable<Status> | null = null;
  readonly #checkTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(options: ReconnectChecksOptions) {
    this.#o = options;
  }

  start(): void {
    const status = this.#o.connection.status();
    this.#status = status;
    void (async () => {
      try {
        for await (const s of status) if (s.type === 'reconnect') this.#checkLater();
      } catch {
        // the iterator ends with the connection; nothing is waiting on it
      }
    })();
  }

  /** Stops following the status and drops the checks not yet due. */
  close(): void {
    stopIterator(this.#status);
    this.#status = null;
    for (const timer of this.#checkTimers) clearTimeout(timer);
    this.#checkTimers.clear();
  }

  #checkLater(): void {
    for (const ms of POSITION_CHECKS_AFTER_RECONNECT_MS) {
      const timer = setTimeout(() => {
        this.#checkTimers.delete(timer);
        if (this.#o.active()) this.#o.check();
      }, ms);
      this.#checkTimers.add(timer);
    }
  }
}

/** Ends a status iterator so that its loop finishes (the type hides `stop`, the object has it). */
function stopIterator(iterable: AsyncIterable<Status> | null): void {
  const stoppable = iterable as { stop?: unknown } | null;
  if (stoppable !== null && typeof stoppable.stop === 'function') stoppable.stop();
}
