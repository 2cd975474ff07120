import { AuthError, quote } from './errors.js';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;
const DURATION_RE = /^(\d+)([smhdw]?)$/;

/**
 * A positive whole number of seconds from a number of seconds or a string such as `90`, `15s`,
 * `30m`, `1h`, `2d`, `1w`. Deliberately narrower than jose's own parser, which also takes forms like
 * `1h ago` that would sign tokens already expired. Throws `ARQ_ERR_AUTH_OPTIONS` naming `label`.
 */
export function parseDuration(input: string | number, label = 'duration'): number {
  let seconds = Number.NaN;
  if (typeof input === 'number') {
    seconds = input;
  } else if (typeof input === 'string') {
    const match = DURATION_RE.exec(input.trim());
    if (match !== null) {
      const unit = (match[2] || 's') as keyof typeof UNIT_SECONDS;
      seconds = Number(match[1]) * UNIT_SECONDS[unit];
    }
  }
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new AuthError(
      'ARQ_ERR_AUTH_OPTIONS',
      `${label} must be a positive whole number of seconds or a string like 15s, 30m, 1h, 2d, got ${quote(input)}`,
    );
  }
  return seconds;
}
