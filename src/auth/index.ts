export { ALL_CAPS, type Cap, CapSet, DEFAULT_CAPS, MAX_CAPS_ENTRIES } from './cap-set.js';
export { ClaimCache, DEFAULT_CLAIM_CACHE_ENTRIES } from './claim-cache.js';
export { AuthError, type AuthErrorCode, TOKEN_REJECTION_CODES } from './errors.js';
export {
  ASYMMETRIC_ALGS,
  type AsymmetricAlg,
  isAsymmetricAlg,
  MIN_HS256_SECRET_BYTES,
  MIN_RSA_MODULUS_BITS,
  TOKEN_ALGS,
  type TokenAlg,
} from './key-material.js';
export { parseDuration } from './parse-duration.js';
export {
  isValidSubject,
  isValidTenantId,
  MAX_SUBJECT_LENGTH,
  MAX_TENANT_LENGTH,
  MAX_TOKEN_ROOMS,
  type Principal,
  type PrincipalCaches,
  principalCaches,
  principalFromClaims,
  principalMayAccess,
} from './principal.js';
export { assertValidRoomName, RoomPattern } from './room-pattern.js';
export {
  DEFAULT_TOKEN_TTL,
  DEV_SECRET_BYTES,
  generateDevSecret,
  type SigningKeyOptions,
  type SignTokenOptions,
  signToken,
  type TokenClaimsOptions,
  TokenSigner,
} from './token-signer.js';
export {
  DEFAULT_CLOCK_TOLERANCE_SEC,
  DEFAULT_JWKS_ALGS,
  MAX_CLOCK_TOLERANCE_SEC,
  MAX_TOKEN_LENGTH,
  TokenVerifier,
  type TokenVerifierOptions,
  type VerificationKeyOptions,
} from './token-verifier.js';
