import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  KeyObject,
} from 'node:crypto';
import { type FieldLabel, fieldError, quote } from './errors.js';

export const ASYMMETRIC_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type AsymmetricAlg = (typeof ASYMMETRIC_ALGS)[number];
export const TOKEN_ALGS = ['HS256', ...ASYMMETRIC_ALGS] as const;
export type TokenAlg = (typeof TOKEN_ALGS)[number];

/** RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output. */
export const MIN_HS256_SECRET_BYTES = 32;
/** The floor jose itself enforces for RS256; checked here so a bad key fails at startup. */
export const MIN_RSA_MODULUS_BITS = 2048;

export function isAsymmetricAlg(value: unknown): value is AsymmetricAlg {
  return (ASYMMETRIC_ALGS as readonly unknown[]).includes(value);
}

/** A key bound to exactly one algorithm: the token header never chooses how it is used. */
export interface VerificationKey {
  readonly alg: TokenAlg;
  readonly kid: string | null;
  readonly key: KeyObject;
}

/** An HS256 secret: a string (its UTF-8 bytes, not base64-decoded) or raw bytes. */
export function secretKeyFrom(secret: unknown, label: FieldLabel): KeyObject {
  let bytes: Uint8Array;
  if (typeof secret === 'string') bytes = Buffer.from(secret, 'utf8');
  else if (secret instanceof Uint8Array) bytes = secret;
  else throw fieldError(label, `must be a string or a Uint8Array, got ${typeof secret}`);
  if (bytes.byteLength < MIN_HS256_SECRET_BYTES) {
    throw fieldError(
      label,
      `must be at least ${MIN_HS256_SECRET_BYTES} bytes for HS256, got ${bytes.byteLength}`,
    );
  }
  return createSecretKey(bytes);
}

/** Throws unless `key` is of the type and size that `alg` needs. */
export function assertKeyFitsAlg(key: KeyObject, alg: AsymmetricAlg, label: FieldLabel): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  let problem: string | null = null;
  if (alg === 'RS256') {
    if (type !== 'rsa') problem = `an RSA key, got ${type}`;
    else if ((details.modulusLength ?? 0) < MIN_RSA_MODULUS_BITS) {
      problem = `an RSA key of at least ${MIN_RSA_MODULUS_BITS} bits, got ${details.modulusLength}`;
    }
  } else if (alg === 'ES256') {
    if (type !== 'ec' || details.namedCurve !== 'prime256v1') {
      problem = `an EC P-256 key, got ${type}${details.namedCurve ? ` ${details.namedCurve}` : ''}`;
    }
  } else if (type !== 'ed25519') {
    problem = `an Ed25519 key, got ${type}`;
  }
  if (problem !== null) throw fieldError(label, `must be, for ${alg}, ${problem}`);
}

/** A public key from a PEM string or a KeyObject, checked against `alg`. */
export function publicKeyFrom(input: unknown, alg: AsymmetricAlg, label: FieldLabel): KeyObject {
  let key: KeyObject;
  if (input instanceof KeyObject) {
    if (input.type !== 'public') {
      throw fieldError(label, `must be a public key, got a ${input.type} key`);
    }
    key = input;
  } else if (typeof input === 'string') {
    // createPublicKey would quietly derive a public key; refuse so private keys are not spread.
    if (input.includes('PRIVATE KEY'))
      throw fieldError(label, 'must be a public key, got a private key');
    try {
      key = createPublicKey(input);
    } catch (cause) {
      throw fieldError(label, 'is not a readable PEM public key', cause);
    }
  } else {
    throw fieldError(label, `must be a PEM string or a KeyObject, got ${typeof input}`);
  }
  assertKeyFitsAlg(key, alg, label);
  return key;
}

/** A private key from a PEM string or a KeyObject, checked against `alg`. */
export function privateKeyFrom(input: unknown, alg: AsymmetricAlg, label: FieldLabel): KeyObject {
  let key: KeyObject;
  if (input instanceof KeyObject) {
    if (input.type !== 'private') {
      throw fieldError(label, `must be a private key, got a ${input.type} key`);
    }
    key = input;
  } else if (typeof input === 'string') {
    try {
      key = createPrivateKey(input);
    } catch (cause) {
      throw fieldError(label, 'is not a readable PEM private key', cause);
    }
  } else {
    throw fieldError(label, `must be a PEM string or a KeyObject, got ${typeof input}`);
  }
  assertKeyFitsAlg(key, alg, label);
  return key;
}

/** The one algorithm a JWK's type allows among ours, or null for key types we do not use. */
export function algOfJwk(jwk: Readonly<Record<string, unknown>>): AsymmetricAlg | null {
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return null;
}

/** A public key from a JWK, checked against `alg` (a JWK with an `alg` member must agree). */
export function publicKeyFromJwk(
  jwk: Readonly<Record<string, unknown>>,
  alg: AsymmetricAlg,
  label: FieldLabel,
): KeyObject {
  if (jwk.d !== undefined) {
    throw fieldError(label, 'must be a public JWK, got a private one');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch (cause) {
    throw fieldError(label, `is not a usable JWK (kid ${quote(jwk.kid)})`, cause);
  }
  assertKeyFitsAlg(key, alg, label);
  return key;
}
