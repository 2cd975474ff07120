/**
 * Client-side liveness: when nothing has arrived for `intervalMs`, send a ping; when the ping
 * fails (no reply in time), the connection is dead. Browsers cannot see WebSocket-level pings,
 * and a half-open TCP connection shows no close event for minutes, so this is how one is noticed.
 */
export class Heartbeat {
  readonly #intervalMs: number;
  readonly #lastReceivedMs: () => number;
  readonly #ping: () => Promise<unknown>;
  readonly #dead: (error: unknown) => void;
  readonly #timer: ReturnType<typeof setInterval>;
  #inFlight = false;
  #stopped = false;

  constructor(
    intervalMs: number,
    lastReceivedMs: () => number,
    ping: () => Promise<unknown>,
    dead: (error: unknown) => void,
  ) {
    this.#intervalMs = intervalMs;
    this.#lastReceivedMs = lastReceivedMs;
    this.#ping = ping;
    this.#dead = dead;
    this.#timer = setInterval(() => this.#tick(), intervalMs);
    // Node only: a heartbeat alone must not keep a process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  #tick(): void {
    if (this.#inFlight || Date.now() - this.#lastReceivedMs() < this.#intervalMs) return;
    this.#inFlight = true;
    this.#ping().then(
      () => {
        this.#inFlight = false;
      },
      (error: unknown) => {
        this.#inFlight = false;
        if (!this.#stopped) this.#dead(error);
      },
    );
  }
}
