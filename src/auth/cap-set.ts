import { AuthError, quote } from './errors.js';

/** Every capability a token can carry (docs/protocol.md, "Tokens"). */
export const ALL_CAPS = ['publish', 'presence', 'admin', 'server'] as const;
export type Cap = (typeof ALL_CAPS)[number];

/** Capabilities a token has unless its `caps` claim turns them off. */
export const DEFAULT_CAPS: readonly Cap[] = Object.freeze(['publish', 'presence'] as const);

/** Most entries accepted in a `caps` claim; there are only a handful of meaningful ones. */
export const MAX_CAPS_ENTRIES = 16;

const KNOWN = new Set<string>(ALL_CAPS);
/** Made on first use: the class is not defined yet at this point of the module. */
let DEFAULT_SET: CapSet | null = null;
const DEFAULTS = new Set<string>(DEFAULT_CAPS);

/**
 * An immutable set of capabilities (a plain Set could be changed by whoever holds the principal).
 *
 * How the `caps` claim is read (the protocol calls it "extra capabilities"): the claim is
 * additive. `publish` and `presence` are on unless the claim lists `"-publish"` / `"-presence"`;
 * `admin` and `server` are on only when listed. So `["admin"]` means publish + presence + admin,
 * `["-publish"]` means presence only, and a missing claim means the defaults. A `-` entry for a cap
 * that is not a default (`"-admin"`), an unknown cap, or the same cap both added and removed is a
 * claims error: the token says something the node cannot honour exactly, so it is refused.
 */
export class CapSet implements ReadonlySet<Cap> {
  readonly #caps: Set<Cap>;

  private constructor(caps: Iterable<Cap>) {
    this.#caps = new Set(caps);
    Object.freeze(this);
  }

  /** The set a token without a `caps` claim gets: one shared instance (it cannot change). */
  static defaults(): CapSet {
    DEFAULT_SET ??= new CapSet(DEFAULT_CAPS);
    return DEFAULT_SET;
  }

  /**
   * Reads a `caps` claim (`undefined` when absent). Throws `ARQ_ERR_TOKEN_CLAIMS` for anything but
   * an array of known entries; `label` names the claim or option in the message.
   */
  static fromClaim(value: unknown, label = 'claim "caps"'): CapSet {
    if (value === undefined) return CapSet.defaults();
    const fail = (problem: string): never => {
      throw new AuthError('ARQ_ERR_TOKEN_CLAIMS', `${label} ${problem}`);
    };
    const failAt = (i: number, problem: string): never => {
      throw new AuthError('ARQ_ERR_TOKEN_CLAIMS', `${label}[${i}] ${problem}`);
    };
    if (!Array.isArray(value)) return fail(`must be an array of strings, got ${quote(value)}`);
    if (value.length > MAX_CAPS_ENTRIES) {
      return fail(`must have at most ${MAX_CAPS_ENTRIES} entries, got ${value.length}`);
    }
    const added = new Set<string>();
    const removed = new Set<string>();
    value.forEach((entry: unknown, i) => {
      const name =
        typeof entry === 'string' ? entry : failAt(i, `must be a string, got ${quote(entry)}`);
      if (name.startsWith('-')) {
        const base = name.slice(1);
        if (!DEFAULTS.has(base)) {
          failAt(i, `${quote(name)} can only turn off a default cap (${DEFAULT_CAPS.join(', ')})`);
        }
        removed.add(base);
      } else if (KNOWN.has(name)) {
        added.add(name);
      } else {
        failAt(i, `${quote(name)} is not a known cap (${ALL_CAPS.join(', ')})`);
      }
    });
    for (const cap of removed) {
      if (added.has(cap)) fail(`both adds and removes ${quote(cap)}`);
    }
    const result = new Set<Cap>();
    for (const cap of ALL_CAPS) {
      if (added.has(cap) || (DEFAULTS.has(cap) && !removed.has(cap))) result.add(cap);
    }
    return new CapSet(result);
  }

  get size(): number {
    return this.#caps.size;
  }

  has(cap: Cap): boolean {
    return this.#caps.has(cap);
  }

  forEach(
    callback: (value: Cap, key: Cap, set: ReadonlySet<Cap>) => void,
    thisArg?: unknown,
  ): void {
    for (const cap of this.#caps) callback.call(thisArg, cap, cap, this);
  }

  entries(): SetIterator<[Cap, Cap]> {
    return this.#caps.entries();
  }

  keys(): SetIterator<Cap> {
    return this.#caps.keys();
  }

  values(): SetIterator<Cap> {
    return this.#caps.values();
  }

  [Symbol.iterator](): SetIterator<Cap> {
    return this.#caps.values();
  }

  toJSON(): Cap[] {
    return [...this.#caps];
  }
}
