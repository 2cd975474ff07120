import { CliError } from './cli-error.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const DURATION = /^(\d+(?:\.\d+)?)([smhd])?$/;
/** An ISO 8601 date, optionally with a time (what `Date.parse` reads reliably). */
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * `--since`: how far back `arq tail` starts, as the time (ms since the Unix epoch) to replay from.
 * A duration before `now` (`30s`, `10m`, `2h`, `1d`, or plain seconds) or an ISO timestamp.
 */
export function parseSince(value: string, now: number): number {
  const text = value.trim();
  const duration = DURATION.exec(text);
  if (duration !== null) {
    const ms = Number(duration[1]) * (UNIT_MS[duration[2] ?? 's'] as number);
    const ts = Math.floor(now - ms);
    if (Number.isSafeInteger(ts) && ts >= 0) return ts;
    throw new CliError(`--since ${value} reaches back before 1970`);
  }
  if (ISO.test(text)) {
    const ts = Date.parse(text);
    if (Number.isSafeInteger(ts) && ts >= 0) return ts;
  }
  throw new CliError(
    `--since must be a duration (30s, 10m, 2h, 1d, or seconds) or an ISO timestamp (2026-12-07T10:00:00Z), got ${JSON.stringify(value)}`,
  );
}
