import type { OptionOrigins } from './option-origins.js';
import { OPTION_TABLE, type OptionName, type OptionRow } from './option-table.js';

/** A value as a flag, the environment or a config file gives it. */
export type RawValue = string | boolean | number | readonly unknown[] | Readonly<object> | null;

const MAX_QUOTED_CHARS = 64;
const INTEGER_RE = /^[+-]?\d+$/;

/** A user's value for an error message: JSON-quoted and cut short. */
export function quoteValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}...` : text;
}

/**
 * Typed access to the raw values of one resolution; every error names the option and its source.
 * Text (flags, the environment) and typed YAML/JSON values are both accepted.
 */
export class OptionReader {
  readonly #raw: ReadonlyMap<OptionName, RawValue>;
  readonly #origins: OptionOrigins;

  constructor(raw: ReadonlyMap<OptionName, RawValue>, origins: OptionOrigins) {
    this.#raw = raw;
    this.#origins = origins;
  }

  /** A non-empty string; numbers from a file are taken as their text. */
  string(name: OptionName): string | null {
    const value = this.#raw.get(name);
    if (value === undefined) return null;
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string') {
      throw this.#origins.invalid(name, `must be a string, got ${quoteValue(value)}`);
    }
    if (value.trim().length === 0) throw this.#origins.invalid(name, 'must not be empty');
    return value;
  }

  /** One of `allowed`. */
  oneOf<T extends string>(name: OptionName, allowed: readonly T[]): T | null {
    const value = this.string(name);
    if (value === null) return null;
    if (!(allowed as readonly string[]).includes(value)) {
      throw this.#origins.invalid(
        name,
        `must be one of ${allowed.join(', ')}, got ${quoteValue(value)}`,
      );
    }
    return value as T;
  }

  /** A whole number within the row's bounds. */
  int(name: OptionName): number | null {
    const value = this.#raw.get(name);
    if (value === undefined) return null;
    // Number('') is 0 and Number('1e3') is 1000: text must be digits.
    const n =
      typeof value === 'string' && INTEGER_RE.test(value.trim()) ? Number(value.trim()) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
      throw this.#origins.invalid(name, `must be an integer, got ${quoteValue(value)}`);
    }
    const row: OptionRow | undefined = OPTION_TABLE.find((r) => r.name === name);
    if (row?.min !== undefined && n < row.min) {
      throw this.#origins.invalid(name, `must be >= ${row.min}, got ${n}`);
    }
    if (row?.max !== undefined && n > row.max) {
      throw this.#origins.invalid(name, `must be <= ${row.max}, got ${n}`);
    }
    return n;
  }

  bool(name: OptionName): boolean | null {
    const value = this.#raw.get(name);
    if (value === undefined) return null;
    if (typeof value === 'boolean') return value;
    const text = typeof value === 'string' ? value.trim().toLowerCase() : value;
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    throw this.#origins.invalid(name, `must be true or false, got ${quoteValue(value)}`);
  }

  /** A non-empty list: comma-separated text or a YAML/JSON list of strings. */
  list(name: OptionName): readonly string[] | null {
    const value = this.#raw.get(name);
    if (value === undefined) return null;
    let items: readonly string[];
    if (typeof value === 'string') {
      items = value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      items = value;
    } else {
      throw this.#origins.invalid(
        name,
        `must be a comma-separated list or a list of strings, got ${quoteValue(value)}`,
      );
    }
    if (items.length === 0) throw this.#origins.invalid(name, 'must not be empty');
    return items;
  }

  /** A list whose every item is one of `allowed`. */
  listOf<T extends string>(name: OptionName, allowed: readonly T[]): readonly T[] | null {
    const items = this.list(name);
    if (items === null) return null;
    const bad = items.filter((item) => !(allowed as readonly string[]).includes(item));
    if (bad.length > 0) {
      throw this.#origins.invalid(
        name,
        `must list only ${allowed.join(', ')}, got ${bad.map(quoteValue).join(', ')}`,
      );
    }
    return items as readonly T[];
  }
}
