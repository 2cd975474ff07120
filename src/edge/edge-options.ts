import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Principal } from '../auth/index.js';
import type { NodeMetrics } from '../metrics/index.js';
import { EdgeError } from './edge-error.js';

/** An upgrade whose token passed, as on_connect policies see it. */
export interface ConnectAttempt {
  readonly tenant: string;
  readonly sub: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly remote: string;
}

/** The node's readiness, as /readyz reports it. */
export type Readiness = 'starting' | 'ready' | 'draining';

export interface EdgeOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  readonly hardMaxFrameBytes: number;
  readonly maxSendBufferBytes: number;
  readonly heartbeatMs: number;
  readonly maxConnectionsPerTenant: number;
  readonly maxHttpBodyBytes: number;
  readonly publicMetrics: boolean;
  readonly metrics: NodeMetrics;
  readonly verify: (token: string) => Promise<Principal>;
  readonly readiness: () => Readiness;
  /** on_connect policies: resolves with a denial's reason, or null when the upgrade may go on. */
  readonly checkConnect: (attempt: ConnectAttempt) => Promise<{ readonly reason: string } | null>;
  /**
   * Present only with --chaos: terminates a shard thread; returns the shard killed, or null when it
   * is not running. Throws a WireError for a shard that does not exist.
   */
  readonly killWorker: ((shard: number | null) => number | null) | null;
}

export type EdgeTls = NonNullable<EdgeOptions['tls']>;

function tlsError(
  path: 'tls.certFile' | 'tls.keyFile',
  problem: string,
  cause?: unknown,
): EdgeError {
  return new EdgeError('ARQ_ERR_EDGE_OPTIONS', `options.${path}: ${problem}`, {
    fault: { path, problem },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Why a file could not be read or parsed, on one line (a parser may quote the file's lines). */
function reasonOf(cause: unknown): string {
  return (cause instanceof Error ? cause.message : String(cause)).replace(/\s+/g, ' ').trim();
}

function readPem(path: 'tls.certFile' | 'tls.keyFile', file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw tlsError(path, `${JSON.stringify(file)} cannot be read (${reasonOf(cause)})`, cause);
  }
}

/**
 * Checks that the TLS files can serve: a PEM certificate and an unencrypted PEM private key that
 * belong together. uWS reads them itself and, for any of these mistakes, says only "App
 * construction failed"; this says which file and why. Throws EdgeError ARQ_ERR_EDGE_OPTIONS.
 */
export function checkEdgeTls(tls: EdgeTls): void {
  const certPem = readPem('tls.certFile', tls.certFile);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (cause) {
    const what = JSON.stringify(tls.certFile);
    throw tlsError('tls.certFile', `${what} is not a PEM certificate (${reasonOf(cause)})`, cause);
  }
  const keyPem = readPem('tls.keyFile', tls.keyFile);
  const what = JSON.stringify(tls.keyFile);
  if (/BEGIN ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(keyPem)) {
    throw tlsError('tls.keyFile', `${what} is encrypted; give the key without a passphrase`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (cause) {
    throw tlsError('tls.keyFile', `${what} is not a PEM private key (${reasonOf(cause)})`, cause);
  }
  if (!cert.checkPrivateKey(key)) {
    throw tlsError(
      'tls.keyFile',
      `${what} is not the private key of the certificate ${JSON.stringify(tls.certFile)}`,
    );
  }
}
