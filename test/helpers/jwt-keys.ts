/**
 * Token material for the auth tests, made with jose directly (no project code), so a test can build
 * any token shape: other algorithms, wrong keys, `alg: none`, missing claims.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

export type AsymmetricAlg = 'RS256' | 'ES256' | 'EdDSA';

export interface KeyPair {
  readonly alg: AsymmetricAlg;
  readonly privateKey: CryptoKey;
  readonly publicPem: string;
  readonly publicJwk: JWK;
}

export async function makeKeyPair(alg: AsymmetricAlg): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return {
    alg,
    privateKey,
    publicPem: await exportSPKI(publicKey),
    publicJwk: await exportJWK(publicKey),
  };
}

/** Claims of a valid token for tenant t1, good for an hour; `extra` overrides (undefined removes). */
export function claims(extra: Record<string, unknown> = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const out: JWTPayload = { sub: 'alice', tid: 't1', rooms: ['>'], iat: now, exp: now + 3600 };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}

/** Signs `payload` with jose as given (any alg and key jose accepts). */
export function sign(
  key: CryptoKey | Uint8Array,
  alg: string,
  payload: JWTPayload,
  kid?: string,
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader(kid === undefined ? { alg } : { alg, kid })
    .sign(key);
}

/** An unsigned token (`alg: none`), which jose will not make. */
export function unsignedToken(payload: JWTPayload): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

/** Writes `contents` to a file in a fresh temp dir; returns its path and a remover. */
export function tempFile(name: string, contents: string): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'arq-test-'));
  const path = join(dir, name);
  writeFileSync(path, contents);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
