import { describeValue } from './describe-value.js';
import { SupervisorError } from './errors.js';

export const DEFAULT_MAX_RESTARTS = 3;
export const DEFAULT_PERIOD_MS = 5_000;

/**
 * The OTP restart-intensity rule as one sliding window: at most `maxRestarts` restarts within any
 * `periodMs`. Time is passed in (ms, monotonic) so tests can drive it without fake timers.
 */
export class RestartIntensity {
  readonly #maxRestarts: number;
  readonly #periodMs: number;
  /** Times of the restarts still inside the window, oldest first. */
  readonly #times: number[] = [];

  constructor(maxRestarts: number, periodMs: number) {
    if (!Number.isInteger(maxRestarts) || maxRestarts < 0)
      throw new SupervisorError(
        'ARQ_ERR_SUPERVISOR_OPTIONS',
        `options.maxRestarts must be a non-negative integer, got ${describeValue(maxRestarts)}`,
      );
    if (typeof periodMs !== 'number' || !Number.isFinite(periodMs) || periodMs <= 0)
      throw new SupervisorError(
        'ARQ_ERR_SUPERVISOR_OPTIONS',
        `options.periodMs must be a positive number of ms, got ${describeValue(periodMs)}`,
      );
    this.#maxRestarts = maxRestarts;
    this.#periodMs = periodMs;
  }

  get maxRestarts(): number {
    return this.#maxRestarts;
  }

  get periodMs(): number {
    return this.#periodMs;
  }

  /**
   * Records a restart at `nowMs`. Returns false when it is one too many, i.e. the window now holds
   * more than maxRestarts restarts: the supervisor must then give up and exit.
   */
  tryRecord(nowMs: number): boolean {
    while (this.#times.length > 0 && nowMs - this.#times[0]! > this.#periodMs) this.#times.shift();
    this.#times.push(nowMs);
    return this.#times.length <= this.#maxRestarts;
  }
}
