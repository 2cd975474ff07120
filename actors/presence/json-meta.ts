import type { PresenceMeta } from './presence-entry.js';

/** Deeper meta is refused: it bounds the recursion of the check (and catches cyclic objects). */
export const MAX_META_DEPTH = 16;

/**
 * Why `value` is not a JSON object usable as a meta (plain objects, arrays, strings, finite
 * numbers, booleans and null only), or null when it is. Never throws on ordinary values.
 */
export function metaProblem(value: unknown): string | null {
  if (!isPlainObject(value)) return `must be a plain JSON object, got ${describe(value)}`;
  return jsonProblem(value, 0);
}

export function isPresenceMeta(value: unknown): value is PresenceMeta {
  return metaProblem(value) === null;
}

function jsonProblem(value: unknown, depth: number): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? null : `holds a non-finite number (${value})`;
  }
  if (depth >= MAX_META_DEPTH) return `is nested deeper than ${MAX_META_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonProblem(item, depth + 1);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const problem = jsonProblem(value[key], depth + 1);
      if (problem !== null) return problem;
    }
    return null;
  }
  return `holds a value that is not JSON (${describe(value)})`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
