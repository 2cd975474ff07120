import type { TokenVerifierOptions } from '../auth/index.js';
import type { NodeConfig } from '../config/index.js';
import { NodeError } from './node-error.js';

type KeyOptions = TokenVerifierOptions['keys'][number];

/** One verifier key and the configuration field behind each of its fields ('' for the entry). */
interface KeySource {
  readonly key: KeyOptions;
  readonly fields: Readonly<Record<string, keyof NodeConfig>>;
}

/** The keys in the order the verifier gets them; the dev secret has no field behind it. */
function keySources(config: NodeConfig, devSecret: string | null): KeySource[] {
  const sources: KeySource[] = [];
  if (config.jwtSecret !== null) {
    sources.push({
      key: { alg: 'HS256', secret: config.jwtSecret },
      fields: { '': 'jwtSecret', secret: 'jwtSecret' },
    });
  } else if (devSecret !== null) {
    sources.push({ key: { alg: 'HS256', secret: devSecret }, fields: {} });
  }
  if (config.jwtPublicKeyFile !== null && config.jwtAlg !== null) {
    sources.push({
      key: { alg: config.jwtAlg, publicKeyFile: config.jwtPublicKeyFile },
      fields: { '': 'jwtPublicKeyFile', publicKeyFile: 'jwtPublicKeyFile', alg: 'jwtAlg' },
    });
  }
  if (config.jwksFile !== null) {
    sources.push({
      key: { jwksFile: config.jwksFile, algs: config.jwksAlgs },
      fields: { '': 'jwksFile', jwksFile: 'jwksFile', algs: 'jwksAlgs' },
    });
  }
  return sources;
}

/** The verifier's keys from the node's configuration (and the dev secret, when there is one). */
export function verifierOptions(
  config: NodeConfig,
  devSecret: string | null,
): TokenVerifierOptions {
  const keys = keySources(config, devSecret).map((source) => source.key);
  if (keys.length === 0) {
    throw new NodeError(
      'ARQ_ERR_NODE_CONFIG',
      'no token keys: give jwt-secret (ARQ_JWT_SECRET), jwt-public-key with jwt-alg, or jwks-file; or use --dev',
    );
  }
  return { keys, clockToleranceSec: config.clockSkewSec };
}

const KEY_PATH_RE = /^keys\[(\d+)\](?:\.(\w+))?/;

/**
 * The configuration field behind a path of `verifierOptions(config, devSecret)`, as a
 * TokenVerifier options error reports it (`keys[1].publicKeyFile` -> `jwtPublicKeyFile`), so that
 * the error can name the option; null for what no field gave (the dev secret).
 */
export function verifierField(
  config: NodeConfig,
  devSecret: string | null,
  path: string,
): keyof NodeConfig | null {
  if (path === 'clockToleranceSec') return 'clockSkewSec';
  const match = KEY_PATH_RE.exec(path);
  if (match === null) return null;
  const fields = keySources(config, devSecret)[Number(match[1])]?.fields;
  return fields?.[match[2] ?? ''] ?? fields?.[''] ?? null;
}
