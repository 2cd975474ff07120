import { type KeyObject, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose';
import { AuthError, type FieldLabel, fieldError, quote, reasonOf } from './errors.js';
import { loadJwksFile } from './jwks-file.js';
import {
  ASYMMETRIC_ALGS,
  type AsymmetricAlg,
  isAsymmetricAlg,
  publicKeyFrom,
  secretKeyFrom,
  type TokenAlg,
  type VerificationKey,
} from './key-material.js';
import {
  type Principal,
  type PrincipalCaches,
  principalCaches,
  principalFromClaims,
} from './principal.js';

/** Seconds of clock difference tolerated on `exp` and `nbf`. */
export const DEFAULT_CLOCK_TOLERANCE_SEC = 5;
/** Largest `clockToleranceSec` accepted: beyond this an expiry means little. */
export const MAX_CLOCK_TOLERANCE_SEC = 300;
/** Algorithms taken from a JWKS file when its entry names none. */
export const DEFAULT_JWKS_ALGS: readonly AsymmetricAlg[] = ASYMMETRIC_ALGS;
/** Longest token looked at; anything longer is refused before any parsing. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

/** Three base64url parts; the signature may be empty so that `alg: none` is reported as such. */
const COMPACT_JWS_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** One accepted key. Each entry pins its algorithm(s); a token's header never picks the method. */
export type VerificationKeyOptions =
  | {
      readonly alg: 'HS256';
      /** A string is used as its UTF-8 bytes; at least `MIN_HS256_SECRET_BYTES`. */
      readonly secret: string | Uint8Array;
      readonly kid?: string;
    }
  | {
      readonly alg: AsymmetricAlg;
      /** PEM (SPKI) text or a public KeyObject. */
      readonly publicKey: string | KeyObject;
      readonly kid?: string;
    }
  | {
      readonly alg: AsymmetricAlg;
      /** A PEM (SPKI) file, read once at construction. */
      readonly publicKeyFile: string;
      readonly kid?: string;
    }
  | {
      /** A JWKS JSON file, read once at construction. */
      readonly jwksFile: string;
      /** Checked at construction; defaults to `DEFAULT_JWKS_ALGS`. */
      readonly algs?: readonly string[];
    };

export interface TokenVerifierOptions {
  readonly keys: readonly VerificationKeyOptions[];
  /** Defaults to `DEFAULT_CLOCK_TOLERANCE_SEC`; 0 to `MAX_CLOCK_TOLERANCE_SEC`. */
  readonly clockToleranceSec?: number;
  /** Clock in ms since the epoch; defaults to `Date.now`. */
  readonly now?: () => number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const KEY_KINDS = ['secret', 'publicKey', 'publicKeyFile', 'jwksFile'] as const;

function filePath(value: unknown, label: FieldLabel): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw fieldError(label, `must be a file path, got ${quote(value)}`);
  }
  return value;
}

/** The keys of `options.keys[index]`; errors name the field (`keys[0].secret`). */
function keysFromEntry(entry: unknown, index: number): VerificationKey[] {
  const at = `keys[${index}]`;
  if (!isRecord(entry)) throw fieldError({ path: at }, 'must be an object');
  const kinds = KEY_KINDS.filter((k) => entry[k] !== undefined);
  if (kinds.length !== 1) {
    throw fieldError({ path: at }, `must have exactly one of ${KEY_KINDS.join(', ')}`);
  }
  if (entry.jwksFile !== undefined) {
    const label = { path: `${at}.jwksFile` };
    const path = filePath(entry.jwksFile, label);
    const algs = entry.algs ?? DEFAULT_JWKS_ALGS;
    if (!Array.isArray(algs) || algs.length === 0 || !algs.every(isAsymmetricAlg)) {
      throw fieldError(
        { path: `${at}.algs` },
        `must be a non-empty list of ${ASYMMETRIC_ALGS.join(', ')}, got ${quote(algs)}`,
      );
    }
    return loadJwksFile(path, algs, label);
  }
  if (entry.kid !== undefined && (typeof entry.kid !== 'string' || entry.kid.length === 0)) {
    throw fieldError({ path: `${at}.kid` }, `must be a non-empty string, got ${quote(entry.kid)}`);
  }
  const kid = (entry.kid as string | undefined) ?? null;
  if (entry.secret !== undefined) {
    if (entry.alg !== 'HS256') {
      throw fieldError(
        { path: `${at}.alg` },
        `must be HS256 with a secret, got ${quote(entry.alg)}`,
      );
    }
    return [{ alg: 'HS256', kid, key: secretKeyFrom(entry.secret, { path: `${at}.secret` }) }];
  }
  if (!isAsymmetricAlg(entry.alg)) {
    throw fieldError(
      { path: `${at}.alg` },
      `must be one of ${ASYMMETRIC_ALGS.join(', ')} with a public key, got ${quote(entry.alg)}`,
    );
  }
  if (entry.publicKeyFile !== undefined) {
    const label = { path: `${at}.publicKeyFile` };
    const path = filePath(entry.publicKeyFile, label);
    const file = { ...label, within: quote(path) };
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (cause) {
      throw fieldError(file, `cannot be read (${reasonOf(cause)})`, cause);
    }
    return [{ alg: entry.alg, kid, key: publicKeyFrom(pem, entry.alg, file) }];
  }
  return [
    {
      alg: entry.alg,
      kid,
      key: publicKeyFrom(entry.publicKey, entry.alg, { path: `${at}.publicKey` }),
    },
  ];
}

function tokenError(code: AuthError['code'], message: string, cause?: unknown): AuthError {
  return new AuthError(code, message, cause === undefined ? undefined : { cause });
}

/** Turns a jose failure (anything but a bad signature) into a typed rejection. */
function fromJoseError(cause: unknown): AuthError {
  if (cause instanceof errors.JWTExpired) {
    return tokenError('ARQ_ERR_TOKEN_EXPIRED', 'token has expired', cause);
  }
  if (cause instanceof errors.JWTClaimValidationFailed) {
    if (cause.claim === 'nbf' && cause.reason === 'check_failed') {
      return tokenError('ARQ_ERR_TOKEN_NOT_YET_VALID', 'token is not valid yet (nbf)', cause);
    }
    return tokenError('ARQ_ERR_TOKEN_CLAIMS', `token claims rejected: ${cause.message}`, cause);
  }
  if (cause instanceof errors.JWSSignatureVerificationFailed) {
    return tokenError('ARQ_ERR_TOKEN_SIGNATURE', 'token signature does not verify', cause);
  }
  if (cause instanceof errors.JOSEAlgNotAllowed) {
    return tokenError('ARQ_ERR_TOKEN_ALG', 'token algorithm is not accepted', cause);
  }
  return tokenError('ARQ_ERR_TOKEN_MALFORMED', 'token is malformed', cause);
}

/**
 * Verifies ArqonBus tokens (docs/protocol.md, "Tokens") against the keys given at construction.
 *
 * The accepted algorithms are the ones the configured keys are bound to. A token's `alg` header only
 * selects among those keys (with `kid`), and each key is used with its own algorithm alone, so
 * `alg: none` and the HS256-signed-with-the-RSA-public-key trick fail. Holds no global state, only
 * key objects and bounded caches of compiled claims (principals of equal claims share them), so a
 * copy can live in each thread of a worker pool.
 */
export class TokenVerifier {
  readonly #keys: readonly VerificationKey[];
  readonly #algs: ReadonlySet<TokenAlg>;
  readonly #clockToleranceSec: number;
  readonly #now: () => number;
  readonly #caches: PrincipalCaches = principalCaches();
  /** HS256 keys imported into WebCrypto once (see `#hmacKey`). */
  readonly #hmacKeys = new Map<KeyObject, Promise<webcrypto.CryptoKey>>();

  constructor(options: TokenVerifierOptions) {
    if (!isRecord(options)) throw fieldError({ path: '' }, 'must be an object');
    if (!Array.isArray(options.keys) || options.keys.length === 0) {
      throw fieldError({ path: 'keys' }, 'must be a non-empty array of keys');
    }
    this.#keys = Object.freeze(
      options.keys.flatMap((entry: unknown, i) => keysFromEntry(entry, i)),
    );
    this.#algs = new Set(this.#keys.map((k) => k.alg));
    const tolerance = options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC;
    if (
      typeof tolerance !== 'number' ||
      !Number.isFinite(tolerance) ||
      tolerance < 0 ||
      tolerance > MAX_CLOCK_TOLERANCE_SEC
    ) {
      throw fieldError(
        { path: 'clockToleranceSec' },
        `must be a number from 0 to ${MAX_CLOCK_TOLERANCE_SEC}, got ${quote(tolerance)}`,
      );
    }
    this.#clockToleranceSec = tolerance;
    const now = options.now ?? Date.now;
    if (typeof now !== 'function') throw fieldError({ path: 'now' }, 'must be a function');
    this.#now = now;
  }

  /** The algorithms some configured key is bound to. */
  get algorithms(): readonly TokenAlg[] {
    return [...this.#algs];
  }

  /** How many keys were loaded (JWKS files count each usable key). */
  get keyCount(): number {
    return this.#keys.length;
  }

  /**
   * Checks signature, `exp` and `nbf` and returns the claims, without interpreting them. The result
   * is plain JSON (structured-clonable), so this half can run in a worker pool and
   * `principalFromClaims` in the caller. Rejects with an `AuthError`, never anything else.
   */
  async verifyClaims(token: string): Promise<Readonly<JWTPayload>> {
    try {
      return await this.#verifyClaims(token);
    } catch (cause) {
      if (cause instanceof AuthError) throw cause;
      throw fromJoseError(cause);
    }
  }

  /** Verifies `token` and returns its frozen principal; rejects with an `AuthError`. */
  async verify(token: string): Promise<Principal> {
    return principalFromClaims(await this.verifyClaims(token), this.#caches);
  }

  async #verifyClaims(token: unknown): Promise<Readonly<JWTPayload>> {
    if (typeof token !== 'string' || token.length === 0) {
      throw tokenError('ARQ_ERR_TOKEN_MALFORMED', 'token is missing');
    }
    if (token.length > MAX_TOKEN_LENGTH) {
      throw tokenError(
        'ARQ_ERR_TOKEN_MALFORMED',
        `token is longer than ${MAX_TOKEN_LENGTH} characters`,
      );
    }
    if (!COMPACT_JWS_RE.test(token)) {
      throw tokenError(
        'ARQ_ERR_TOKEN_MALFORMED',
        'token is not a compact JWS (three base64url parts)',
      );
    }
    const header = decodeProtectedHeader(token);
    const { alg, kid } = header;
    if (typeof alg !== 'string') {
      throw tokenError('ARQ_ERR_TOKEN_MALFORMED', 'token header has no "alg"');
    }
    if (kid !== undefined && typeof kid !== 'string') {
      throw tokenError('ARQ_ERR_TOKEN_MALFORMED', 'token header "kid" must be a string');
    }
    if (!this.#algs.has(alg as TokenAlg)) {
      throw tokenError(
        'ARQ_ERR_TOKEN_ALG',
        `token alg ${quote(alg)} is not accepted (accepted: ${this.algorithms.join(', ')})`,
      );
    }
    const candidates = this.#candidates(alg as TokenAlg, kid);
    if (candidates.length === 0) {
      throw tokenError('ARQ_ERR_TOKEN_UNKNOWN_KEY', `no ${alg} key has kid ${quote(kid)}`);
    }
    const options = {
      clockTolerance: this.#clockToleranceSec,
      currentDate: new Date(this.#now()),
    };
    let lastFailure: unknown;
    for (const candidate of candidates) {
      try {
        const key = candidate.alg === 'HS256' ? await this.#hmacKey(candidate.key) : candidate.key;
        const { payload } = await jwtVerify(token, key, {
          ...options,
          algorithms: [candidate.alg],
        });
        return Object.freeze(payload);
      } catch (cause) {
        // Another key of the same algorithm may have signed it (a JWKS during rotation).
        if (cause instanceof errors.JWSSignatureVerificationFailed) lastFailure = cause;
        else throw fromJoseError(cause);
      }
    }
    throw fromJoseError(lastFailure);
  }

  /**
   * Given a secret KeyObject, jose exports it and imports it into WebCrypto again on every
   * verification (an allocation-heavy async step per connection); a CryptoKey is used as it is.
   * Asymmetric KeyObjects jose converts once and caches itself.
   */
  #hmacKey(key: KeyObject): Promise<webcrypto.CryptoKey> {
    let imported = this.#hmacKeys.get(key);
    if (imported === undefined) {
      imported = webcrypto.subtle
        .importKey('raw', key.export(), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
        .catch((cause: unknown) => {
          this.#hmacKeys.delete(key);
          throw cause;
        });
      this.#hmacKeys.set(key, imported);
    }
    return imported;
  }

  /** Keys of `alg` whose kid equals the token's first, then keys without a kid. */
  #candidates(alg: TokenAlg, kid: string | undefined): VerificationKey[] {
    const ofAlg = this.#keys.filter((k) => k.alg === alg);
    if (kid === undefined) return ofAlg;
    return [...ofAlg.filter((k) => k.kid === kid), ...ofAlg.filter((k) => k.kid === null)];
  }
}
