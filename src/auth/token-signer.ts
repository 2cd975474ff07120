import { type KeyObject, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { CapSet } from './cap-set.js';
import { AuthError, quote } from './errors.js';
import {
  ASYMMETRIC_ALGS,
  type AsymmetricAlg,
  isAsymmetricAlg,
  privateKeyFrom,
  secretKeyFrom,
  type TokenAlg,
} from './key-material.js';
import { parseDuration } from './parse-duration.js';
import { checkSubject, checkTenant, compileRoomsClaim } from './principal.js';

/** Token lifetime when none is given (`arq auth gen` without `--ttl`). */
export const DEFAULT_TOKEN_TTL = '1h';
/** Random bytes in a dev secret; base64url makes 43 characters, above `MIN_HS256_SECRET_BYTES`. */
export const DEV_SECRET_BYTES = 32;

export type SigningKeyOptions =
  | {
      /** A string is used as its UTF-8 bytes, as the verifier does. */
      readonly secret: string | Uint8Array;
      readonly alg?: 'HS256';
      readonly kid?: string;
    }
  | {
      /** PEM (PKCS#8) text or a private KeyObject. */
      readonly privateKey: string | KeyObject;
      readonly alg: AsymmetricAlg;
      readonly kid?: string;
    };

export interface TokenClaimsOptions {
  /** Becomes the `tid` claim. */
  readonly tenant: string;
  readonly sub: string;
  /** Room patterns; omitted means the token may join no room. */
  readonly rooms?: readonly string[];
  /** The `caps` claim, read as `CapSet.fromClaim` documents; omitted means the defaults. */
  readonly caps?: readonly string[];
  /** Seconds or a string like `1h` (see `parseDuration`); defaults to `DEFAULT_TOKEN_TTL`. */
  readonly ttl?: string | number;
  /** Issue time in ms since the epoch; defaults to now. */
  readonly nowMs?: number;
}

export type SignTokenOptions = SigningKeyOptions & TokenClaimsOptions;

function optionsError(message: string, cause?: unknown): AuthError {
  return new AuthError(
    'ARQ_ERR_AUTH_OPTIONS',
    message,
    cause === undefined ? undefined : { cause },
  );
}

/** Runs a claim check and reports its failure as an options error (the claim came from options). */
function asOption<T>(check: () => T): T {
  try {
    return check();
  } catch (cause) {
    if (cause instanceof AuthError) throw optionsError(cause.message, cause);
    throw cause;
  }
}

/** Signs ArqonBus tokens with one key; what `arq auth gen` and `arq start --dev` use. */
export class TokenSigner {
  readonly #alg: TokenAlg;
  readonly #kid: string | null;
  readonly #key: KeyObject;

  constructor(options: SigningKeyOptions) {
    if (typeof options !== 'object' || options === null) {
      throw optionsError('options must be an object');
    }
    const o = options as Readonly<Record<string, unknown>>;
    if ((o.secret === undefined) === (o.privateKey === undefined)) {
      throw optionsError('options must have exactly one of secret or privateKey');
    }
    if (o.kid !== undefined && (typeof o.kid !== 'string' || o.kid.length === 0)) {
      throw optionsError(`options.kid must be a non-empty string, got ${quote(o.kid)}`);
    }
    this.#kid = (o.kid as string | undefined) ?? null;
    if (o.secret !== undefined) {
      if (o.alg !== undefined && o.alg !== 'HS256') {
        throw optionsError(`options.alg must be HS256 with a secret, got ${quote(o.alg)}`);
      }
      this.#alg = 'HS256';
      this.#key = secretKeyFrom(o.secret, { path: 'secret' });
    } else {
      if (!isAsymmetricAlg(o.alg)) {
        throw optionsError(
          `options.alg must be one of ${ASYMMETRIC_ALGS.join(', ')} with a privateKey, got ${quote(o.alg)}`,
        );
      }
      this.#alg = o.alg;
      this.#key = privateKeyFrom(o.privateKey, o.alg, { path: 'privateKey' });
    }
  }

  get alg(): TokenAlg {
    return this.#alg;
  }

  get kid(): string | null {
    return this.#kid;
  }

  /**
   * A compact JWT for `claims`, which are checked as a verifier would check them, so a token this
   * returns is one a node with the matching key accepts (until it expires).
   */
  async sign(claims: TokenClaimsOptions): Promise<string> {
    if (typeof claims !== 'object' || claims === null)
      throw optionsError('claims must be an object');
    const sub = asOption(() => checkSubject(claims.sub, 'options.sub'));
    const tid = asOption(() => checkTenant(claims.tenant, 'options.tenant'));
    const rooms = asOption(() => compileRoomsClaim(claims.rooms, 'options.rooms'));
    asOption(() => CapSet.fromClaim(claims.caps, 'options.caps'));
    const ttlSec = parseDuration(claims.ttl ?? DEFAULT_TOKEN_TTL, 'options.ttl');
    const nowMs = claims.nowMs ?? Date.now();
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) {
      throw optionsError(`options.nowMs must be a finite number, got ${quote(nowMs)}`);
    }
    const iat = Math.floor(nowMs / 1000);
    const payload: Record<string, unknown> = { tid };
    if (claims.rooms !== undefined) payload.rooms = rooms.map((p) => p.source);
    if (claims.caps !== undefined) payload.caps = [...claims.caps];
    const header =
      this.#kid === null
        ? { alg: this.#alg, typ: 'JWT' }
        : { alg: this.#alg, typ: 'JWT', kid: this.#kid };
    return new SignJWT(payload)
      .setProtectedHeader(header)
      .setSubject(sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSec)
      .sign(this.#key);
  }
}

/** Signs one token: `new TokenSigner(options).sign(options)`. */
export function signToken(options: SignTokenOptions): Promise<string> {
  return new TokenSigner(options).sign(options);
}

/** A throwaway HS256 secret (32 random bytes, base64url) for `arq start --dev`. */
export function generateDevSecret(): string {
  return randomBytes(DEV_SECRET_BYTES).toString('base64url');
}
