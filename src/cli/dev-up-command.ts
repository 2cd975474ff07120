import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDevSecret, signToken } from '../auth/index.js';
import { CliError } from './cli-error.js';
import { freePort } from './free-port.js';
import { parseFlags } from './parse-flags.js';
import { spawnNatsServer } from './spawn-nats-server.js';

const DEFAULT_NODES = 3;
const DEFAULT_BASE_PORT = 7070;
/** Rooms the dev cluster keeps in JetStream, to try resume, `arq tail --since` and node moves. */
export const DEV_DURABLE_ROOMS = 'demo.>';
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/** Resolves when `proc` prints a line matching `pattern`; rejects if it exits first. */
function waitForLine(proc: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve();
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) =>
      reject(new CliError(`${what} exited (${code}) before it was ready:\n${seen}`)),
    );
  });
}

const READY_TIMEOUT_MS = 30_000;

/** Polls a node's /readyz until it answers 200 (it has joined the cluster). */
async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new CliError(`the node on port ${port} did not become ready`);
}

/**
 * `arq dev up [--nodes N] [--base-port P]`: a local nats-server (JetStream on, from PATH) and N
 * nodes on consecutive ports sharing one throwaway secret, for trying the cluster on one machine.
 * Rooms matching DEV_DURABLE_ROOMS are durable (the node defaults for how much they keep), the
 * others in memory as usual. Ctrl-C drains every node, then stops NATS.
 */
export async function devUpCommand(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, [{ name: 'nodes' }, { name: 'base-port' }, { name: 'workers' }]);
  const nodes = typeof flags.nodes === 'string' ? Number(flags.nodes) : DEFAULT_NODES;
  const basePort =
    typeof flags['base-port'] === 'string' ? Number(flags['base-port']) : DEFAULT_BASE_PORT;
  const workers = typeof flags.workers === 'string' ? flags.workers : '1';
  if (!Number.isSafeInteger(nodes) || nodes < 1 || nodes > 16)
    throw new CliError('--nodes must be 1..16');
  if (!Number.isSafeInteger(basePort) || basePort < 1 || basePort + nodes > 65535) {
    throw new CliError('--base-port must leave room for every node below 65536');
  }
  const children: ChildProcess[] = [];
  const natsPort = await freePort();
  const nats = await spawnNatsServer([
    '-a',
    '127.0.0.1',
    '-p',
    String(natsPort),
    '-js',
    '-sd',
    mkdtempSync(join(tmpdir(), 'arq-dev-nats-')),
  ]);
  children.push(nats);
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const secret = generateDevSecret();
  const started: Promise<void>[] = [];
  for (let i = 0; i < nodes; i++) {
    const node = spawn(
      process.execPath,
      [
        MAIN,
        'start',
        '--host',
        '127.0.0.1',
        '--port',
        String(basePort + i),
        '--node-id',
        `dev-${i + 1}`,
        '--workers',
        workers,
        '--nats',
        natsUrl,
        '--durable-rooms',
        DEV_DURABLE_ROOMS,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ARQ_JWT_SECRET: secret } },
    );
    children.push(node);
    node.stderr?.pipe(process.stderr);
    started.push(waitForLine(node, /listening on/, `node dev-${i + 1}`));
  }
  try {
    await Promise.all(started);
  } catch (err) {
    for (const child of children) child.kill('SIGKILL');
    throw err;
  }
  await Promise.all(Array.from({ length: nodes }, (_, i) => waitReady(basePort + i)));
  const token = await signToken({
    secret,
    tenant: 'dev',
    sub: 'dev-user',
    rooms: ['>'],
    caps: ['admin', 'server'],
    ttl: '24h',
  });
  console.log(`arq dev: nats-server on ${natsUrl}`);
  for (let i = 0; i < nodes; i++)
    console.log(`arq dev: node dev-${i + 1} on ws://127.0.0.1:${basePort + i}/ws`);
  console.log(
    `arq dev: durable rooms ${DEV_DURABLE_ROOMS} (kept in JetStream; others in memory), e.g.  arq tail --room demo.chat --since 10m`,
  );
  console.log(`arq dev: token (tenant dev, all rooms, 24h):\n${token}`);
  console.log(`arq dev: try  npx wscat -c "ws://127.0.0.1:${basePort}/ws?token=${token}"`);
  console.log('arq dev: up');
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      const nodesDone = children
        .slice(1)
        .map((child) => new Promise((done) => child.once('exit', done)));
      for (const child of children.slice(1)) child.kill('SIGTERM');
      void Promise.all(nodesDone).then(() => {
        nats.once('exit', () => resolve(0));
        nats.kill('SIGTERM');
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
