import { BenchError } from './bench-error.js';

export interface NumberFlagRule {
  readonly min: number;
  readonly integer: boolean;
}

/** A numeric command-line flag, checked once: `--seconds must be a number >= 1, got "x"`. */
export function numberFlag(name: string, text: string, rule: NumberFlagRule): number {
  const value = Number(text);
  const ok =
    text.trim() !== '' &&
    Number.isFinite(value) &&
    value >= rule.min &&
    (!rule.integer || Number.isInteger(value));
  if (!ok)
    throw new BenchError(
      'ARQ_ERR_BENCH_OPTIONS',
      `--${name} must be ${rule.integer ? 'an integer' : 'a number'} >= ${rule.min}, got "${text}"`,
    );
  return value;
}

/** A comma-separated list of numeric values of one flag, ascending. */
export function numberListFlag(name: string, text: string, rule: NumberFlagRule): number[] {
  return text
    .split(',')
    .map((item) => numberFlag(name, item, rule))
    .sort((a, b) => a - b);
}
