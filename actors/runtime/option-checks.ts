import { ActorError } from './errors.js';

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function invalidOption(name: string, rule: string, value: unknown): ActorError {
  return new ActorError('ARQ_ERR_INVALID_OPTION', `${name} ${rule}, got ${describe(value)}`);
}

export function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalidOption(name, 'must be a positive integer', value);
  }
  return value;
}

/** A positive integer, or Infinity for "no bound". */
export function bound(name: string, value: unknown, fallback: number): number {
  if (value === Number.POSITIVE_INFINITY) return value;
  return positiveInteger(name, value, fallback);
}

export function nonNegativeInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidOption(name, 'must be a non-negative integer', value);
  }
  return value;
}

/** Node clamps timer delays above 2^31-1 ms to 1 ms; refuse them instead of firing early. */
export const MAX_TIMER_MS = 2_147_483_647;

export function delayMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
    throw invalidOption(name, `must be a number of milliseconds in [0, ${MAX_TIMER_MS}]`, value);
  }
  return value;
}

/** A timeout that must be able to expire after some work: strictly positive. */
export function timeoutMs(name: string, value: unknown, fallback: number): number {
  const ms = delayMs(name, value, fallback);
  if (ms === 0) throw invalidOption(name, 'must be above 0', value);
  return ms;
}

/** A timer delay given as an argument (not an option), e.g. to ctx.setTimeout. */
export function timerDelay(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
    throw new ActorError(
      'ARQ_ERR_INVALID_ARGUMENT',
      `${name} must be a number of milliseconds in [0, ${MAX_TIMER_MS}], got ${describe(value)}`,
    );
  }
  return value;
}

export function nonEmptyString(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidOption(name, 'must be a non-empty string', value);
  }
  return value;
}

export function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidOption(name, 'must be a boolean', value);
  return value;
}
