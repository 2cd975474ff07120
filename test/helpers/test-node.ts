/**
 * The one way integration tests start real servers: an ArqonNode in this process (fast, for most
 * tests) or `arq start` as a child process (for signals, exit codes and chaos). Both listen on a free
 * port on 127.0.0.1 and accept HS256 tokens signed with `secret`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { signToken } from '../../src/auth/index.js';
import { resolveNodeConfig } from '../../src/config/index.js';
import { ArqonNode } from '../../src/node/index.js';

export const CLI_PATH = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface TokenClaims {
  readonly tenant?: string;
  readonly sub?: string;
  readonly rooms?: readonly string[];
  readonly caps?: readonly string[];
  readonly ttl?: string | number;
}

export interface TestNode {
  readonly node: ArqonNode;
  readonly port: number;
  readonly url: string;
  readonly http: string;
  readonly secret: string;
  token(claims?: TokenClaims): Promise<string>;
  close(): Promise<void>;
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenFor(secret: string, claims: TokenClaims = {}): Promise<string> {
  return signToken({
    secret,
    tenant: claims.tenant ?? 't1',
    sub: claims.sub ?? 'alice',
    rooms: claims.rooms ?? ['>'],
    ...(claims.caps ? { caps: claims.caps } : {}),
    ttl: claims.ttl ?? '1h',
  });
}

/**
 * Starts a node in this process; `flags` are `arq start` flags by name (`'room-idle-ms': '100'`).
 * `'jwt-secret': false` starts it without an HS256 key (then `token()` cannot sign). The drain
 * period defaults to 0 so that closing a test node is quick.
 */
export async function startTestNode(
  flags: Record<string, string | boolean> = {},
): Promise<TestNode> {
  const { 'jwt-secret': given, ...rest } = flags;
  const secret = typeof given === 'string' ? given : newSecret();
  const config = resolveNodeConfig({
    flags: {
      host: '127.0.0.1',
      port: '0',
      workers: '1',
      ...(given === false ? {} : { 'jwt-secret': secret }),
      'drain-timeout-ms': '0',
      ...rest,
    },
  });
  const node = new ArqonNode({ config, log: () => {} });
  const port = await node.start();
  return {
    node,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    http: `http://127.0.0.1:${port}`,
    secret,
    token: (claims) => tokenFor(secret, claims),
    close: () => node.drain(),
  };
}

export interface SpawnedNode {
  readonly proc: ChildProcess;
  readonly port: number;
  readonly url: string;
  readonly http: string;
  readonly secret: string;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  token(claims?: TokenClaims): Promise<string>;
}

/** Runs `arq start` as a child process and waits until it listens. */
export async function spawnNode(
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<SpawnedNode> {
  const secret = newSecret();
  const proc = spawn(
    process.execPath,
    [CLI_PATH, 'start', '--host', '127.0.0.1', '--port', '0', '--workers', '1', ...args],
    { env: { ...process.env, ARQ_JWT_SECRET: secret, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${output}`)), 20_000);
    const check = (): void => {
      const match = /listening on [\d.]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    proc.stdout?.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`node exited before listening:\n${output}`));
    });
  });
  return {
    proc,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    http: `http://127.0.0.1:${port}`,
    secret,
    output: () => output,
    exited,
    token: (claims) => tokenFor(secret, claims),
  };
}
