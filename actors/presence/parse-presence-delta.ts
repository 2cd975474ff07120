import { CausalContext, type ClockRange } from './causal-context.js';
import { PresenceError, quote } from './errors.js';
import { metaProblem } from './json-meta.js';
import type { PresenceDelta, PresenceDeltaEntry } from './presence-delta.js';
import type { PresenceMeta } from './presence-entry.js';

/**
 * Checks a delta or state that came from the network (after JSON or protobuf decoding) and returns
 * a fresh, normalised copy: context ranges sorted and coalesced, entries sorted by clock. Anything
 * malformed throws `PresenceError` `ARQ_ERR_PRESENCE_MALFORMED` naming the field; no input makes it
 * throw anything else. Unknown fields are ignored (a newer sender may add some).
 */
export function parsePresenceDelta(input: unknown): PresenceDelta {
  try {
    return parse(input);
  } catch (err) {
    if (err instanceof PresenceError) throw err;
    // A hostile object (a throwing getter, a Proxy) rather than decoded JSON.
    throw new PresenceError('ARQ_ERR_PRESENCE_MALFORMED', 'presence delta could not be read', {
      cause: err,
    });
  }
}

function parse(input: unknown): PresenceDelta {
  const obj = record(input, 'payload');
  const node = nonEmptyString(obj.node, 'node');
  const incarnation = nonEmptyString(obj.incarnation, 'incarnation');

  const context = CausalContext.fromRanges(ranges(obj.context, 'context'));
  const covers = ranges(obj.covers, 'covers');
  for (let i = 0; i < covers.length; i++) {
    const [first, last] = covers[i]!;
    if (!context.hasRange(first, last)) {
      fail(`covers[${i}] ${quote(covers[i])} must lie inside the delta's context`);
    }
  }

  const rawEntries = array(obj.entries, 'entries');
  const entries: PresenceDeltaEntry[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < rawEntries.length; i++) {
    const at = `entries[${i}]`;
    const e = record(rawEntries[i], at);
    const c = clock(e.clock, `${at}.clock`);
    if (seen.has(c)) fail(`${at}.clock ${c} appears twice: a dot names one entry`);
    if (!context.has(c)) fail(`${at}.clock ${c} is outside the delta's context`);
    seen.add(c);
    const onlineAt = e.onlineAt;
    if (typeof onlineAt !== 'number' || !Number.isFinite(onlineAt)) {
      fail(`${at}.onlineAt must be a finite number, got ${quote(onlineAt)}`);
    }
    const problem = metaProblem(e.meta);
    if (problem !== null) fail(`${at}.meta ${problem}`);
    entries.push({
      clock: c,
      topic: nonEmptyString(e.topic, `${at}.topic`),
      key: nonEmptyString(e.key, `${at}.key`),
      conn: nonEmptyString(e.conn, `${at}.conn`),
      onlineAt,
      meta: e.meta as PresenceMeta,
    });
  }
  entries.sort((a, b) => a.clock - b.clock);
  return {
    node,
    incarnation,
    context: context.ranges(),
    covers: CausalContext.fromRanges(covers).ranges(),
    entries,
  };
}

function ranges(value: unknown, at: string): ClockRange[] {
  const raw = array(value, at);
  const out: ClockRange[] = [];
  for (let i = 0; i < raw.length; i++) {
    const range = array(raw[i], `${at}[${i}]`);
    if (range.length !== 2) fail(`${at}[${i}] must be a [first, last] pair, got ${quote(range)}`);
    const first = clock(range[0], `${at}[${i}][0]`);
    const last = clock(range[1], `${at}[${i}][1]`);
    if (first > last) fail(`${at}[${i}] must have first <= last, got ${quote(range)}`);
    out.push([first, last]);
  }
  return out;
}

function fail(message: string): never {
  throw new PresenceError('ARQ_ERR_PRESENCE_MALFORMED', `presence delta: ${message}`);
}

function record(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${at} must be an object, got ${quote(value)}`);
  }
  return value as Record<string, unknown>;
}

function array(value: unknown, at: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(`${at} must be an array, got ${quote(value)}`);
  return value;
}

function nonEmptyString(value: unknown, at: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail(`${at} must be a non-empty string, got ${quote(value)}`);
  }
  return value;
}

function clock(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    fail(`${at} must be a positive safe integer, got ${quote(value)}`);
  }
  return value;
}
