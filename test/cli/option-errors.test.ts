import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { freePort, spawnNatsServer } from '../../src/cli/index.js';
import { envName, OPTION_TABLE, type OptionName } from '../../src/config/index.js';
import { type CliRun, runCli } from '../helpers/run-cli.js';
import { newSecret, spawnNode } from '../helpers/test-node.js';

/** A self-signed EC P-256 certificate for localhost and 127.0.0.1, valid until 2126, and its key. */
const FIXTURES = fileURLToPath(new URL('../../../test/cli/fixtures/', import.meta.url));
const TLS_CERT = join(FIXTURES, 'tls-cert.pem');
const TLS_KEY = join(FIXTURES, 'tls-key.pem');

const dir = mkdtempSync(join(tmpdir(), 'arq-cli-option-errors-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const GARBAGE = file('garbage.pem', 'not a PEM file\n');
const OTHER_KEY = file(
  'other-key.pem',
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString(),
);
const PRIVATE_JWKS = file(
  'private-jwks.json',
  JSON.stringify({
    keys: [generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })],
  }),
);

/** What a node needs to start besides the option under test. */
const BASE_ENV = {
  ARQ_JWT_SECRET: newSecret(),
  ARQ_HOST: '127.0.0.1',
  ARQ_PORT: '0',
  ARQ_WORKERS: '1',
  ARQ_DRAIN_TIMEOUT_MS: '0',
};

interface BadCase {
  readonly value: string;
  /** Where the bad value is given: the environment unless said (an empty variable is unset). */
  readonly via?: 'flag';
  /** Environment variables the bad value needs before it is looked at. */
  readonly with?: Readonly<Record<string, string>>;
  /** What the message says is wrong. */
  readonly says: RegExp;
}

/**
 * One bad value per option of `arq start`. A Record over OptionName: a new option does not compile
 * until it has a case here, and its case fails until its error names it.
 */
const BAD: Readonly<Record<OptionName, BadCase>> = {
  host: { value: 'not a host', says: /must be an IP address or a host name/ },
  port: { value: '65536', says: /must be <= 65535, got 65536/ },
  nats: { value: 'http://127.0.0.1:4222', says: /must be a nats:\/\/ or tls:\/\/ URL/ },
  'nats-user': {
    value: 'u',
    with: { ARQ_NATS: 'nats://127.0.0.1:1' },
    says: /needs nats-password/,
  },
  'nats-password': { value: 'p', says: /needs nats-user as well/ },
  'durable-rooms': {
    value: 'chat.*',
    says: /needs nats: durable rooms are stored in NATS JetStream, and nats is not set/,
  },
  'history-max-messages': { value: '0', says: /must be >= 1, got 0/ },
  'history-max-age': { value: '1h', says: /must be an integer, got "1h"/ },
  'history-max-bytes': { value: '4294967296', says: /must be <= 4294967295/ },
  'node-id': { value: '', via: 'flag', says: /must not be empty/ },
  workers: { value: '-1', says: /must be >= 0, got -1/ },
  dev: { value: 'maybe', says: /must be true or false, got "maybe"/ },
  'jwt-secret': { value: 'short', says: /must be at least 32 bytes for HS256, got 5/ },
  'jwt-public-key': {
    value: GARBAGE,
    with: { ARQ_JWT_ALG: 'RS256' },
    says: /"[^"]*garbage\.pem" is not a readable PEM public key/,
  },
  'jwt-alg': {
    value: 'HS512',
    with: { ARQ_JWT_PUBLIC_KEY: GARBAGE },
    says: /must be one of RS256, ES256, EdDSA, got "HS512"/,
  },
  'jwks-file': {
    value: PRIVATE_JWKS,
    says: /JWKS file "[^"]*private-jwks\.json" keys\[0\] is a private key/,
  },
  'jwks-algs': { value: 'RS256,HS256', says: /must list only RS256, ES256, EdDSA, got "HS256"/ },
  'clock-skew-sec': { value: '301', says: /must be <= 300/ },
  'heartbeat-ms': { value: '999', says: /must be >= 1000/ },
  'max-frame-bytes': { value: '255', says: /must be >= 256/ },
  'hard-max-frame-bytes': { value: '1e6', says: /must be an integer, got "1e6"/ },
  'bad-frame-budget': { value: '0', says: /must be >= 1/ },
  'max-connections-per-tenant': { value: 'many', says: /must be an integer/ },
  'max-rooms-per-connection': { value: '0', says: /must be >= 1/ },
  'publish-rate': { value: '-5', says: /must be >= 1, got -5/ },
  'publish-burst': { value: '0', says: /must be >= 1/ },
  'history-rate': { value: '0', says: /must be >= 1/ },
  'history-burst': { value: 'x', says: /must be an integer/ },
  'tenant-publish-rate': { value: '0', says: /must be >= 1/ },
  'tenant-publish-burst': { value: '2.5', says: /must be an integer/ },
  'max-send-buffer-bytes': { value: '1023', says: /must be >= 1024/ },
  'room-idle-ms': { value: '-1', says: /must be >= 0/ },
  'ring-linger-ms': { value: '1001', says: /must be <= 1000/ },
  'drain-timeout-ms': { value: 'soon', says: /must be an integer, got "soon"/ },
  chaos: { value: 'on', says: /must be true or false/ },
  'public-metrics': { value: 'maybe', says: /must be true or false/ },
  'idle-gc': { value: 'yes', says: /must be true or false/ },
  'down-after-ms': { value: '99', says: /must be >= 100/ },
  'fanout-linger-ms': { value: '101', says: /must be <= 100/ },
  'presence-broadcast-ms': { value: '9', says: /must be >= 10/ },
  'presence-coalesce-ms': { value: '1001', says: /must be <= 1000/ },
  'tls-cert': {
    value: GARBAGE,
    with: { ARQ_TLS_KEY: TLS_KEY },
    says: /"[^"]*garbage\.pem" is not a PEM certificate/,
  },
  'tls-key': {
    value: OTHER_KEY,
    with: { ARQ_TLS_CERT: TLS_CERT },
    says: /"[^"]*other-key\.pem" is not the private key of the certificate "[^"]*tls-cert\.pem"/,
  },
  'log-level': { value: 'loud', says: /must be one of error, warn, info, debug, got "loud"/ },
  'policy-memory-mb': { value: '0', says: /must be >= 1, got 0/ },
  'policy-compile': { value: 'gpu', says: /must be one of pool, inline, got "gpu"/ },
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** runCli, with a node that did not stop reported as a result (code null) the test then fails. */
function runStart(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return runCli(['start', ...args], env, 30_000).catch((err: unknown) => ({
    code: null,
    stdout: '',
    stderr: `did not stop: ${String(err).replaceAll('\n', ' ')}`,
  }));
}

/** Runs `jobs` at most `width` at a time: dozens of node processes at once starve a small CI box. */
async function inPool<T>(jobs: ReadonlyArray<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** The first line of stderr, where `arq:` says what stopped it. */
function firstLine(stderr: string): string {
  return stderr.split('\n')[0] ?? '';
}

t.test(
  'cli - option errors name the option and the source: flag, environment or file',
  async (t) => {
    const configPath = file('arq.yaml', 'jwt-secret: short\n');
    const why = 'must be at least 32 bytes for HS256, got 5';
    const runs: Array<[string, Promise<CliRun>, string]> = [
      [
        'flag',
        runCli(['start', '--jwt-secret', 'short']),
        `arq: option jwt-secret (from flag --jwt-secret): ${why}`,
      ],
      [
        'environment',
        runCli(['start'], { ARQ_JWT_SECRET: 'short' }),
        `arq: option jwt-secret (from environment ARQ_JWT_SECRET): ${why}`,
      ],
      [
        'file',
        runCli(['start', '--config', configPath]),
        `arq: option jwt-secret (from config file ${configPath}, key jwt-secret): ${why}`,
      ],
    ];
    for (const [source, run, message] of runs) {
      const { code, stderr } = await run;
      t.equal(code, 2, `${source}: exit 2`);
      t.equal(firstLine(stderr), message, `${source}: names the option and the source`);
    }
  },
);

t.test('cli - every option of arq start with a bad value stops it naming the option', async (t) => {
  const rows = OPTION_TABLE.map((row) => row.name);
  t.same(Object.keys(BAD).sort(), [...rows].sort(), 'a bad value for every option, no other');
  const runs = await inPool(
    rows.map((name) => () => {
      const bad = BAD[name];
      const env: Record<string, string> = { ...BASE_ENV, ...bad.with };
      const args: string[] = [];
      if (bad.via === 'flag') args.push(`--${name}=${bad.value}`);
      else env[envName(name)] = bad.value;
      return runStart(args, env);
    }),
    3,
  );
  rows.forEach((name, i) => {
    const bad = BAD[name];
    const { code, stderr } = runs[i] as CliRun;
    const line = firstLine(stderr);
    const source = bad.via === 'flag' ? `from flag --${name}` : `from environment ${envName(name)}`;
    t.equal(code, 2, `${name}: exit 2 (${line})`);
    t.match(
      line,
      new RegExp(`^arq: option ${escapeRegExp(name)} \\(${escapeRegExp(source)}\\): `),
      name,
    );
    t.match(line, bad.says, `${name}: says what is wrong`);
    t.notMatch(line, /options\.[a-z]/i, `${name}: no component's own field names`);
  });
});

t.test('cli - a NATS server that cannot be reached or refuses the user is named', async (t) => {
  const refused = await runCli(['start', '--nats', 'nats://127.0.0.1:1'], BASE_ENV);
  t.equal(refused.code, 1, 'not a usage error: the value may be right and NATS down');
  t.match(
    firstLine(refused.stderr),
    /^arq: option nats \(from flag --nats\): cannot connect to nats:\/\/127\.0\.0\.1:1 \(.+\) \(ARQ_ERR_CONFIG_UNUSABLE\)$/,
  );
  const port = await freePort();
  const server = await spawnNatsServer([
    '-a',
    '127.0.0.1',
    '-p',
    String(port),
    '--user',
    'arq',
    '--pass',
    'right',
  ]);
  t.teardown(() => {
    server.kill('SIGKILL');
  });
  const url = `nats://127.0.0.1:${port}`;
  const wrong = await runCli(['start', '--nats', url, '--nats-user', 'arq'], {
    ...BASE_ENV,
    ARQ_NATS_PASSWORD: 'wrong-password',
  });
  t.equal(wrong.code, 1);
  t.match(
    firstLine(wrong.stderr),
    `arq: options nats-user (from flag --nats-user) and nats-password (from environment ARQ_NATS_PASSWORD): the NATS server ${url} refused them`,
  );
  t.notMatch(wrong.stderr, /wrong-password/, 'the password is not printed');
  const none = await runCli(['start'], { ...BASE_ENV, ARQ_NATS: `nats://127.0.0.1:${port}` });
  t.match(
    firstLine(none.stderr),
    /^arq: option nats \(from environment ARQ_NATS\): the NATS server .* wants credentials/,
  );
});

t.test('cli - a port in use is named with its source', async (t) => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.teardown(() => holder.close());
  const address = holder.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const run = await runCli(['start', '--port', String(port)], { ...BASE_ENV, ARQ_PORT: '' });
  t.equal(run.code, 1);
  t.match(
    firstLine(run.stderr),
    `arq: options port (from flag --port) and host (from environment ARQ_HOST): cannot listen on 127.0.0.1:${port}`,
  );
});

t.test('cli - a good tls-cert and tls-key pass the check and serve https', async (t) => {
  const node = await spawnNode(['--tls-cert', TLS_CERT, '--tls-key', TLS_KEY]);
  t.teardown(() => {
    if (node.proc.exitCode === null) node.proc.kill('SIGKILL');
  });
  const status = await new Promise<number | undefined>((resolve, reject) => {
    get(
      { host: '127.0.0.1', port: node.port, path: '/healthz', ca: readFileSync(TLS_CERT) },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    ).on('error', reject);
  });
  t.equal(status, 200, 'served over TLS with the checked pair');
});
