import { LimitError } from './limit-error.js';

/**
 * A token bucket: `rate` tokens per second, at most `burst` banked. Time is passed in (ms) so the
 * edge reads the clock once per frame and tests need no fake timers.
 */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(rate: number, burst: number, nowMs: number) {
    if (!(rate > 0) || !Number.isFinite(rate))
      throw new LimitError(`rate must be a positive number, got ${rate}`);
    if (!(burst >= 1) || !Number.isFinite(burst))
      throw new LimitError(`burst must be at least 1, got ${burst}`);
    this.#ratePerMs = rate / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#updatedAt = nowMs;
  }

  /** Takes `cost` tokens if there are enough; false (and nothing taken) otherwise. */
  tryTake(nowMs: number, cost = 1): boolean {
    this.#refill(nowMs);
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Gives back tokens taken for an operation that did not happen (e.g. a later check refused it). */
  refund(cost = 1): void {
    this.#tokens = Math.min(this.#burst, this.#tokens + cost);
  }

  available(nowMs: number): number {
    this.#refill(nowMs);
    return this.#tokens;
  }

  #refill(nowMs: number): void {
    const elapsed = nowMs - this.#updatedAt;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#ratePerMs);
      this.#updatedAt = nowMs;
    }
  }
}
