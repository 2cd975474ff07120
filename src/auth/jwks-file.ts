import { readFileSync } from 'node:fs';
import { type FieldLabel, fieldError, quote, reasonOf } from './errors.js';
import {
  type AsymmetricAlg,
  algOfJwk,
  isAsymmetricAlg,
  publicKeyFromJwk,
  type VerificationKey,
} from './key-material.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a JWKS file once and binds each usable key to one algorithm: the key's `alg` member when
 * present (it must agree with the key type), otherwise the algorithm its type implies. Keys for
 * other uses (`use` not `sig`, `key_ops` without `verify`), of other types, or bound to an
 * algorithm outside `algs` are skipped; a file that leaves no key is an error, and so is a file
 * holding private or symmetric keys. `label` names the option that gave the path.
 */
export function loadJwksFile(
  path: string,
  algs: readonly AsymmetricAlg[],
  label: FieldLabel,
): VerificationKey[] {
  const file: FieldLabel = { path: label.path, within: `JWKS file ${quote(path)}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw fieldError(file, `cannot be read as JSON (${reasonOf(cause)})`, cause);
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.keys)) {
    throw fieldError(file, 'must be a JSON object with a "keys" array');
  }
  const keys: VerificationKey[] = [];
  parsed.keys.forEach((jwk: unknown, i: number) => {
    const key: FieldLabel = { path: label.path, within: `${file.within} keys[${i}]` };
    if (!isRecord(jwk)) throw fieldError(key, 'must be an object');
    // Secrets in a file meant to hold public keys are a leak whatever they are used for.
    if (jwk.kty === 'oct')
      throw fieldError(key, 'is a symmetric key; a JWKS file may only hold public keys');
    if (jwk.d !== undefined)
      throw fieldError(key, 'is a private key; a JWKS file may only hold public keys');
    if (jwk.use !== undefined && jwk.use !== 'sig') return;
    if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return;
    if (jwk.kid !== undefined && typeof jwk.kid !== 'string') {
      throw fieldError(
        { path: label.path, within: `${key.within}.kid` },
        `must be a string, got ${quote(jwk.kid)}`,
      );
    }
    // An algorithm this node never accepts (RS512, PS256, ...) or a key type it does not use.
    if (jwk.alg !== undefined && !isAsymmetricAlg(jwk.alg)) return;
    const alg = jwk.alg ?? algOfJwk(jwk);
    if (alg === null || !algs.includes(alg)) return;
    keys.push({ alg, kid: jwk.kid ?? null, key: publicKeyFromJwk(jwk, alg, key) });
  });
  if (keys.length === 0) throw fieldError(file, `has no signing key for ${algs.join(', ')}`);
  return keys;
}
