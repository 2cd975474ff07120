import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import type { ResumePoint } from './client-frame.js';
import {
  DEFAULT_HISTORY_LIMIT,
  MAX_HEADER_NAME_LENGTH,
  MAX_HEADER_VALUE_LENGTH,
  MAX_HEADERS,
  MAX_HISTORY_LIMIT,
  MAX_META_DEPTH,
  MAX_REF_LENGTH,
  MAX_TOKEN_LENGTH,
  RESERVED_HEADER_PREFIX,
} from './frame-limits.js';
import { WireError } from './wire-error.js';

// Field readers shared by both decoders. Each returns the checked value or throws a `bad_frame`
// WireError whose message names the field; the decoders catch it at their top.

/** `String.prototype.isWellFormed` is in Node 20 but not in the ES2023 lib typings. */
export function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === '') return 'an empty string';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}`;
}

export function badFrame(message: string): WireError {
  return new WireError('bad_frame', message);
}

function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

function wellFormed(value: string, field: string): string {
  if (!isWellFormed(value))
    throw badFrame(`"${field}" contains a lone surrogate (not valid Unicode)`);
  return value;
}

/** Returns undefined when absent; throws when present but unusable. */
export function readRef(value: unknown): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > MAX_REF_LENGTH)
    throw badFrame(
      `"ref" must be a string of 1 to ${MAX_REF_LENGTH} characters, got ${describe(value)}`,
    );
  return wellFormed(value, 'ref');
}

/** Only the type: room name rules (segments, characters) belong to the room-name module. */
export function readRoom(op: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw badFrame(`${op}: "room" must be a non-empty string, got ${describe(value)}`);
  return wellFormed(value, 'room');
}

export function readToken(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_TOKEN_LENGTH)
    throw badFrame(
      `refresh: "token" must be a string of 1 to ${MAX_TOKEN_LENGTH} characters, got ${describe(value)}`,
    );
  return wellFormed(value, 'token');
}

export function readEcho(value: unknown): boolean {
  if (isAbsent(value)) return true;
  if (typeof value !== 'boolean')
    throw badFrame(`publish: "echo" must be a boolean, got ${describe(value)}`);
  return value;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Checks a headers object in place and returns it (no copy: it is the decoder's own fresh object).
 */
export function readHeaders(value: unknown): Readonly<Record<string, string>> {
  if (isAbsent(value)) return NO_HEADERS;
  if (typeof value !== 'object' || Array.isArray(value))
    throw badFrame(`publish: "headers" must be an object of strings, got ${describe(value)}`);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 0) return NO_HEADERS;
  if (keys.length > MAX_HEADERS)
    throw badFrame(
      `publish: "headers" may have at most ${MAX_HEADERS} entries, got ${keys.length}`,
    );
  for (const key of keys) {
    if (key === '' || key.length > MAX_HEADER_NAME_LENGTH)
      throw badFrame(
        `publish: header names must have 1 to ${MAX_HEADER_NAME_LENGTH} characters, got ${describe(key)}`,
      );
    wellFormed(key, 'headers');
    if (key.slice(0, RESERVED_HEADER_PREFIX.length).toLowerCase() === RESERVED_HEADER_PREFIX)
      throw badFrame(
        `publish: header "${key}" is reserved (${RESERVED_HEADER_PREFIX}* is the server's)`,
      );
    const v = record[key];
    if (typeof v !== 'string' || v.length > MAX_HEADER_VALUE_LENGTH)
      throw badFrame(
        `publish: header "${key}" must be a string of at most ${MAX_HEADER_VALUE_LENGTH} characters, got ${describe(v)}`,
      );
    wellFormed(v, `headers.${key}`);
  }
  return record as Record<string, string>;
}

export function readMeta(value: unknown): JsonObject | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw badFrame(`join: "meta" must be an object, got ${describe(value)}`);
  checkJson(value as JsonObject, 1, 'meta');
  return value as JsonObject;
}

/** Depth-bounded walk: the bound also bounds this recursion. */
function checkJson(value: JsonValue, depth: number, path: string): void {
  if (typeof value === 'string') {
    wellFormed(value, path);
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw badFrame(`join: "${path}" must be a finite number`);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_META_DEPTH)
    throw badFrame(`join: "meta" may nest at most ${MAX_META_DEPTH} levels deep`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++)
      checkJson(value[i] as JsonValue, depth + 1, `${path}[${i}]`);
    return;
  }
  for (const key of Object.keys(value)) {
    wellFormed(key, path);
    checkJson(value[key] as JsonValue, depth + 1, `${path}.${key}`);
  }
}

/** A JSON `since` object; null/absent is no resume point. `op` names the frame in messages. */
export function readSince(value: unknown, op = 'join'): ResumePoint | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw badFrame(
      `${op}: "since" must be an object {"epoch":..,"offset":..} or {"ts":..}, got ${describe(value)}`,
    );
  const since = value as Record<string, unknown>;
  if (since.ts !== undefined && since.epoch === undefined && since.offset === undefined) {
    const ts = since.ts;
    if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0)
      throw badFrame(`${op}: "since.ts" must be a non-negative integer (ms), got ${describe(ts)}`);
    return { ts };
  }
  return resumePoint(since.epoch, since.offset, op);
}

export function resumePoint(
  epoch: unknown,
  offset: unknown,
  op = 'join',
): { readonly epoch: string; readonly offset: number } {
  if (typeof epoch !== 'string' || epoch === '')
    throw badFrame(`${op}: "since.epoch" must be a non-empty string, got ${describe(epoch)}`);
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
    throw badFrame(
      `${op}: "since.offset" must be a non-negative integer up to 2^53-1, got ${describe(offset)}`,
    );
  return { epoch: wellFormed(epoch, 'since.epoch'), offset };
}

/** history's `before`: `{"offset":N}`, the messages older than offset N. */
export function readBefore(value: unknown): number | undefined {
  if (isAbsent(value)) return undefined;
  const offset =
    typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>).offset
      : undefined;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
    throw badFrame(
      `history: "before" must be an object {"offset":<non-negative integer>}, got ${describe(value)}`,
    );
  return offset;
}

/** history's `limit`: 1..MAX_HISTORY_LIMIT, DEFAULT_HISTORY_LIMIT when absent. */
export function readHistoryLimit(value: unknown): number {
  if (isAbsent(value)) return DEFAULT_HISTORY_LIMIT;
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < 1 ||
    value > MAX_HISTORY_LIMIT
  )
    throw badFrame(
      `history: "limit" must be an integer from 1 to ${MAX_HISTORY_LIMIT}, got ${describe(value)}`,
    );
  return value;
}
