import { isValidRoomName } from '../../proto/wire/index.js';
import { type Cap, CapSet } from './cap-set.js';
import { ClaimCache } from './claim-cache.js';
import { AuthError, quote } from './errors.js';
import { RoomPattern } from './room-pattern.js';

/** Longest `sub` accepted, in characters. */
export const MAX_SUBJECT_LENGTH = 256;
/** Longest `tid` accepted, in characters. */
export const MAX_TENANT_LENGTH = 128;
/** Most patterns accepted in a `rooms` claim (each pattern is tried on every join and publish). */
export const MAX_TOKEN_ROOMS = 100;

/**
 * A tenant id is a single room-name segment (no dots): rooms are scoped as tenant + room, and a dot
 * in the tenant would let `a` + `b.c` and `a.b` + `c` collide.
 */
const TENANT_RE = /^[A-Za-z0-9_\-:@]+$/;

/** Who a verified token speaks for and what it may do. Frozen; `caps` cannot be changed either. */
export interface Principal {
  readonly sub: string;
  /** The `tid` claim. */
  readonly tenant: string;
  readonly rooms: readonly RoomPattern[];
  readonly caps: ReadonlySet<Cap>;
  /** `exp` in ms since the epoch; null when the token does not expire. */
  readonly expiresAtMs: number | null;
  /** `iat` in ms since the epoch; null when the token has no `iat`. */
  readonly issuedAtMs: number | null;
}

export function isValidTenantId(tenant: unknown): tenant is string {
  return typeof tenant === 'string' && tenant.length <= MAX_TENANT_LENGTH && TENANT_RE.test(tenant);
}

export function isValidSubject(sub: unknown): sub is string {
  return typeof sub === 'string' && sub.length > 0 && sub.length <= MAX_SUBJECT_LENGTH;
}

// In the check* helpers `label` names the claim, or for the signer the option, in messages.

/** Throws `ARQ_ERR_TOKEN_CLAIMS` unless `sub` is a non-empty string of bounded length. */
export function checkSubject(sub: unknown, label = 'claim "sub"'): string {
  if (!isValidSubject(sub)) {
    throw new AuthError(
      'ARQ_ERR_TOKEN_CLAIMS',
      `${label} must be a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters, got ${quote(sub)}`,
    );
  }
  return sub;
}

/** Throws `ARQ_ERR_TOKEN_CLAIMS` unless `tid` is a valid tenant id. */
export function checkTenant(tid: unknown, label = 'claim "tid"'): string {
  if (!isValidTenantId(tid)) {
    throw new AuthError(
      'ARQ_ERR_TOKEN_CLAIMS',
      `${label} must be 1-${MAX_TENANT_LENGTH} characters of A-Z a-z 0-9 _ - : @, got ${quote(tid)}`,
    );
  }
  return tid;
}

/** Compiles a `rooms` claim (`undefined`: no rooms); throws `ARQ_ERR_TOKEN_CLAIMS`, cause kept. */
export function compileRoomsClaim(value: unknown, label = 'claim "rooms"'): RoomPattern[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new AuthError(
      'ARQ_ERR_TOKEN_CLAIMS',
      `${label} must be an array of room patterns, got ${quote(value)}`,
    );
  }
  if (value.length > MAX_TOKEN_ROOMS) {
    throw new AuthError(
      'ARQ_ERR_TOKEN_CLAIMS',
      `${label} must have at most ${MAX_TOKEN_ROOMS} patterns, got ${value.length}`,
    );
  }
  return value.map((entry: unknown, i) => {
    try {
      return RoomPattern.compile(entry);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new AuthError('ARQ_ERR_TOKEN_CLAIMS', `${label}[${i}]: ${reason}`, { cause });
    }
  });
}

function secondsToMs(value: unknown, claim: string): number | null {
  if (value === undefined) return null;
  // jose has already checked exp/nbf/iat types when verifying; this guards direct callers.
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AuthError(
      'ARQ_ERR_TOKEN_CLAIMS',
      `claim "${claim}" must be a number, got ${quote(value)}`,
    );
  }
  return Math.round(value * 1000);
}

/** The rooms of a token without a `rooms` claim, shared by all of them. */
const NO_ROOMS: readonly RoomPattern[] = Object.freeze([]);

/**
 * Compiled `rooms` and `caps` claims shared between principals: an idle node holds one principal
 * per connection, and most connections of a tenant carry the same claims (see ClaimCache).
 */
export interface PrincipalCaches {
  readonly rooms: ClaimCache<readonly RoomPattern[]>;
  readonly caps: ClaimCache<CapSet>;
}

export function principalCaches(maxEntries?: number): PrincipalCaches {
  return { rooms: new ClaimCache(maxEntries), caps: new ClaimCache(maxEntries) };
}

const compileRooms = (value: unknown): readonly RoomPattern[] =>
  Object.freeze(compileRoomsClaim(value));
const compileCaps = (value: unknown): CapSet => CapSet.fromClaim(value);

/**
 * Builds the principal from a verified claims set. Pure and cheap: a worker pool can do the
 * signature check and hand back the (structured-clonable) claims, and the edge calls this. With
 * `caches`, equal `rooms` / `caps` claims give the same (immutable) compiled objects.
 */
export function principalFromClaims(
  claims: Readonly<Record<string, unknown>>,
  caches: PrincipalCaches | null = null,
): Principal {
  const rooms = claims.rooms;
  return Object.freeze({
    sub: checkSubject(claims.sub),
    tenant: checkTenant(claims.tid),
    rooms:
      rooms === undefined
        ? NO_ROOMS
        : caches === null
          ? compileRooms(rooms)
          : caches.rooms.get(rooms, compileRooms),
    caps: caches === null ? compileCaps(claims.caps) : caches.caps.get(claims.caps, compileCaps),
    expiresAtMs: secondsToMs(claims.exp, 'exp'),
    issuedAtMs: secondsToMs(claims.iat, 'iat'),
  });
}

/** True when `room` is a valid concrete room name covered by one of the principal's patterns. */
export function principalMayAccess(principal: Principal, room: string): boolean {
  if (!isValidRoomName(room)) return false;
  return principal.rooms.some((pattern) => pattern.matches(room));
}
