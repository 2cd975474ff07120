import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CryptoKey,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  generateSecret,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  type KeyObject,
  SignJWT,
} from 'jose';
import type { Test } from 'tap';

/** Fixed clock for the tests: 2023-11-14T22:13:20Z. */
export const NOW_MS = 1_700_000_000_000;
export const NOW_SEC = NOW_MS / 1000;

export type PairAlg = 'RS256' | 'ES256' | 'EdDSA';

export interface TestKeyPair {
  readonly alg: PairAlg;
  readonly privateKey: CryptoKey;
  readonly publicPem: string;
  readonly privatePem: string;
  readonly publicJwk: JWK;
}

export async function makeKeyPair(alg: PairAlg): Promise<TestKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return {
    alg,
    privateKey,
    publicPem: await exportSPKI(publicKey),
    privatePem: await exportPKCS8(privateKey),
    publicJwk: await exportJWK(publicKey),
  };
}

/** 32 random bytes from jose's generateSecret, as the raw secret a node is configured with. */
export async function makeSecret(): Promise<Uint8Array> {
  const { k } = await exportJWK(await generateSecret('HS256', { extractable: true }));
  return new Uint8Array(Buffer.from(k ?? '', 'base64url'));
}

/** Signs claims with jose directly (no project code), so tests can build any token shape. */
export function signRaw(
  key: CryptoKey | KeyObject | Uint8Array,
  alg: string,
  claims: JWTPayload,
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ ...header, alg }).sign(key);
}

/** Claims of a well-formed token, valid for an hour around NOW. */
export function goodClaims(extra: JWTPayload = {}): JWTPayload {
  return {
    sub: 'alice',
    tid: 'acme',
    rooms: ['chat.*'],
    iat: NOW_SEC,
    exp: NOW_SEC + 3600,
    ...extra,
  };
}

/** Writes a JWKS file in a temp dir removed after the test; returns its path. */
export function writeJwks(t: Test, keys: readonly unknown[], raw?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'arq-auth-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'jwks.json');
  writeFileSync(path, raw ?? JSON.stringify({ keys }));
  return path;
}
