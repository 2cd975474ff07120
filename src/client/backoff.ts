/** Reconnect delays: exponential growth up to a cap, with (by default full) jitter. */
export interface BackoffOptions {
  /** The cap of the first delay, in ms. */
  readonly initialDelayMs: number;
  /** No delay exceeds this, in ms. */
  readonly maxDelayMs: number;
  /** Growth of the cap per attempt (>= 1). */
  readonly factor: number;
  /**
   * The random share of each delay, 0..1: the delay is uniform in `[cap * (1 - jitter), cap]`.
   * 1 is "full jitter" (uniform in `[0, cap]`), which spreads a crowd of clients reconnecting to
   * a restarted node best; 0 makes delays exact.
   */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 1,
});

export class Backoff {
  readonly #options: BackoffOptions;
  readonly #random: () => number;
  #attempt = 0;

  /** `options` are assumed valid (`resolveClientOptions` checks them); `random` gives [0, 1). */
  constructor(options: BackoffOptions, random: () => number = Math.random) {
    this.#options = options;
    this.#random = random;
  }

  /** Attempts since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; counts the attempt. */
  next(): number {
    const { initialDelayMs, maxDelayMs, factor, jitter } = this.#options;
    // factor ** attempt may overflow to Infinity, which min() caps; 0 * Infinity would be NaN.
    const grown = initialDelayMs === 0 ? 0 : initialDelayMs * factor ** this.#attempt;
    const cap = Math.min(maxDelayMs, grown);
    this.#attempt++;
    return cap * (1 - jitter) + cap * jitter * this.#random();
  }

  /** After a connection that reached its welcome: the next failure starts from the bottom. */
  reset(): void {
    this.#attempt = 0;
  }
}
