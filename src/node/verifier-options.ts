import { readFileSync } from 'node:fs';
import type { TokenVerifierOptions } from '../auth/index.js';
import type { NodeConfig } from '../config/index.js';
import { NodeError } from './node-error.js';

type KeyOptions = TokenVerifierOptions['keys'][number];

/** The verifier's keys from the node's configuration (and the dev secret, when there is one). */
export function verifierOptions(
  config: NodeConfig,
  devSecret: string | null,
): TokenVerifierOptions {
  const keys: KeyOptions[] = [];
  const secret = config.jwtSecret ?? devSecret;
  if (secret !== null) keys.push({ alg: 'HS256', secret });
  if (config.jwtPublicKeyFile !== null && config.jwtAlg !== null) {
    let pem: string;
    try {
      pem = readFileSync(config.jwtPublicKeyFile, 'utf8');
    } catch (err) {
      throw new NodeError(
        'ARQ_ERR_NODE_CONFIG',
        `cannot read jwt-public-key ${config.jwtPublicKeyFile}`,
        { cause: err },
      );
    }
    keys.push({ alg: config.jwtAlg, publicKey: pem });
  }
  if (config.jwksFile !== null) keys.push({ jwksFile: config.jwksFile, algs: config.jwksAlgs });
  if (keys.length === 0) {
    throw new NodeError(
      'ARQ_ERR_NODE_CONFIG',
      'no token keys: give jwt-secret (ARQ_JWT_SECRET), jwt-public-key with jwt-alg, or jwks-file; or use --dev',
    );
  }
  return { keys, clockToleranceSec: config.clockSkewSec };
}
