import { AuthError } from './errors.js';

/** Distinct claim values a cache keeps; past this the least recently used one is dropped. */
export const DEFAULT_CLAIM_CACHE_ENTRIES = 128;

/**
 * What a token claim compiles to (a `rooms` claim's patterns, a `caps` claim's CapSet), kept per
 * distinct claim value so that the many connections of a tenant that carry the same claim share
 * one immutable compiled value instead of one each.
 *
 * The key is the claim's exact JSON text, and only arrays of strings are cached (their JSON text
 * is unambiguous), so a value is only ever served for an equal claim, whichever tenant sent it;
 * anything else, and every claim that fails to compile, is compiled each time. Bounded: a node
 * whose tokens all carry different claims pays a lookup per token and keeps at most `maxEntries`.
 */
export class ClaimCache<T> {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, T>();

  constructor(maxEntries: number = DEFAULT_CLAIM_CACHE_ENTRIES) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new AuthError(
        'ARQ_ERR_AUTH_OPTIONS',
        `maxEntries must be an integer of at least 1, got ${maxEntries}`,
      );
    }
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** `compile(claim)`, or the value compiled earlier from an equal claim. */
  get(claim: unknown, compile: (claim: unknown) => T): T {
    const key = claimKey(claim);
    if (key === null) return compile(claim);
    const cached = this.#entries.get(key);
    if (cached !== undefined) {
      // Most recently used goes last: eviction takes the first.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const value = compile(claim);
    if (this.#entries.size >= this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
    this.#entries.set(key, value);
    return value;
  }
}

/** The exact JSON text of an array of strings; null for anything else (not cached). */
function claimKey(claim: unknown): string | null {
  if (!Array.isArray(claim)) return null;
  for (const entry of claim) if (typeof entry !== 'string') return null;
  return JSON.stringify(claim);
}
