import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  CONFIG_FIELDS,
  ConfigError,
  DEFAULT_PORT,
  defaultWorkers,
  OPTION_TABLE,
  optionOfField,
  resolveConfig,
  resolveNodeConfig,
} from '../../src/config/index.js';

function fileWith(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'arq-config-'));
  const path = join(dir, 'arq.yaml');
  writeFileSync(path, text);
  return path;
}

t.test('config - defaults fill every option', async (t) => {
  const config = resolveNodeConfig({});
  t.equal(config.port, DEFAULT_PORT);
  t.equal(config.workers, defaultWorkers());
  t.equal(config.nats, null);
  t.match(config.nodeId, /^node-[0-9a-f]{8}$/);
  t.ok(Object.isFrozen(config));
});

t.test('config - flag beats environment beats file beats default', async (t) => {
  const file = fileWith('port: 9001\nworkers: 3\nnode-id: from-file\nchaos: true\nhost: null\n');
  const env = { ARQ_PORT: '9002', ARQ_WORKERS: '2', ARQ_HEARTBEAT_MS: '' };
  const { config, origins } = resolveConfig({ flags: { port: '9003' }, env, configFile: file });
  t.equal(config.port, 9003, 'flag wins');
  t.equal(config.workers, 2, 'environment beats file');
  t.equal(config.nodeId, 'from-file', 'file beats default');
  t.equal(config.chaos, true);
  t.equal(config.heartbeatMs > 0, true, 'default used');
  t.same(origins.sourceOf('port'), { kind: 'flag' });
  t.same(origins.sourceOf('workers'), { kind: 'environment', variable: 'ARQ_WORKERS' });
  t.same(origins.sourceOf('node-id'), { kind: 'file', path: file });
  t.same(origins.sourceOf('heartbeat-ms'), { kind: 'default' }, 'an empty variable is not set');
  t.same(origins.sourceOf('host'), { kind: 'default' }, 'a null file value is not set');
});

t.test('config - every option fills one NodeConfig field and back', async (t) => {
  const config = resolveNodeConfig({});
  for (const row of OPTION_TABLE) {
    const field = CONFIG_FIELDS[row.name];
    t.ok(field in config, `${row.name} fills ${field}`);
    t.equal(optionOfField(field), row.name, `${field} comes from ${row.name}`);
  }
  t.equal(Object.keys(config).length, OPTION_TABLE.length, 'no field without an option');
});

t.test('config - bad values name the option and the source', async (t) => {
  t.throws(() => resolveNodeConfig({ env: { ARQ_PORT: 'eighty' } }), {
    code: 'ARQ_ERR_CONFIG_INVALID',
    message: 'option port (from environment ARQ_PORT): must be an integer, got "eighty"',
    option: 'port',
    source: { kind: 'environment', variable: 'ARQ_PORT' },
  });
  t.equal(resolveNodeConfig({}).ringLingerMs, 1, 'busy shards poll every 1 ms by default');
  t.equal(resolveNodeConfig({ env: { ARQ_RING_LINGER_MS: '0' } }).ringLingerMs, 0);
  t.throws(() => resolveNodeConfig({ flags: { 'ring-linger-ms': '5000' } }), {
    message: 'option ring-linger-ms (from flag --ring-linger-ms): must be <= 1000, got 5000',
  });
  t.equal(resolveNodeConfig({ flags: { workers: '0' } }).workers, 0, '0: rooms in the edge thread');
  t.throws(() => resolveNodeConfig({ flags: { workers: '-1' } }), {
    message: /workers \(from flag --workers\): must be >= 0/,
  });
  for (const text of ['', '1e3', '0x10', '12abc', '1.5']) {
    t.throws(
      () => resolveNodeConfig({ flags: { port: text } }),
      { message: /port \(from flag --port\): must be an integer/ },
      `port ${JSON.stringify(text)} is no integer`,
    );
  }
  t.throws(() => resolveNodeConfig({ flags: { 'jwt-alg': 'HS512', 'jwt-public-key': 'k.pem' } }), {
    message: /option jwt-alg \(from flag --jwt-alg\): must be one of RS256, ES256, EdDSA/,
  });
  const err = t.throws(() => resolveNodeConfig({ configFile: fileWith('prot: 1\n') }));
  t.ok(err instanceof ConfigError);
  t.match(err, { code: 'ARQ_ERR_CONFIG_UNKNOWN', message: /unknown option "prot"/ });
  t.throws(() => resolveNodeConfig({ configFile: '/nonexistent/arq.yaml' }), {
    code: 'ARQ_ERR_CONFIG_FILE',
    message: /config file \/nonexistent\/arq.yaml \(from flag --config\): cannot be read: ENOENT/,
  });
  t.throws(() => resolveNodeConfig({ configFile: fileWith('- a\n- b\n') }), {
    code: 'ARQ_ERR_CONFIG_FILE',
  });
});

t.test('config - options that go together, and ones that need another', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ 'tls-cert': 'c.pem' }, /^option tls-cert \(from flag --tls-cert\): needs tls-key as well/],
    [{ 'tls-key': 'k.pem' }, /^option tls-key \(from flag --tls-key\): needs tls-cert as well/],
    [{ 'jwt-alg': 'RS256' }, /^option jwt-alg \(from flag --jwt-alg\): needs jwt-public-key/],
    [{ 'jwt-public-key': 'k.pem' }, /^option jwt-public-key \(from flag --jwt-public-key\)/],
    [{ 'nats-user': 'u', nats: 'nats://n:4222' }, /^option nats-user .*needs nats-password/],
    [{ 'nats-user': 'u', 'nats-password': 'p' }, /^option nats-user .*without nats/],
    [{ 'jwks-algs': 'RS256' }, /^option jwks-algs .*has no effect without jwks-file/],
    [
      { 'durable-rooms': 'chat.*' },
      /^option durable-rooms \(from flag --durable-rooms\): needs nats: durable rooms are stored in NATS JetStream/,
    ],
    [
      { 'durable-rooms': 'chat.>.x', nats: 'nats://n:4222' },
      /^option durable-rooms .*room pattern "chat\.>\.x" may use > only as the last segment/,
    ],
    [
      { 'history-max-age': '60', nats: 'nats://n:4222' },
      /^option history-max-age .*without durable-rooms/,
    ],
    [
      { 'max-frame-bytes': '4096', 'hard-max-frame-bytes': '1024' },
      /^option hard-max-frame-bytes \(from flag --hard-max-frame-bytes\): must be at least max-frame-bytes \(4096, max-frame-bytes \(from flag --max-frame-bytes\)\)/,
    ],
    [
      { 'max-frame-bytes': '2000000' },
      /^option max-frame-bytes \(from flag --max-frame-bytes\): must be at most hard-max-frame-bytes \(1048576, hard-max-frame-bytes \(default\)\)/,
    ],
  ];
  for (const [flags, message] of cases) {
    t.throws(() => resolveNodeConfig({ flags }), { message }, JSON.stringify(flags));
  }
  t.ok(
    resolveNodeConfig({
      flags: { nats: 'nats://n:4222', 'nats-user': 'u', 'nats-password': 'p' },
    }),
  );
  const durable = resolveNodeConfig({
    flags: { nats: 'nats://n:4222', 'durable-rooms': 'chat.*,orders.>', 'history-max-age': '600' },
  });
  t.same(durable.durableRooms, ['chat.*', 'orders.>']);
  t.equal(durable.historyMaxAgeSec, 600);
  t.equal(durable.historyMaxMessages, 10_000, 'the default count');
});

t.test('config - host and nats values are checked for form', async (t) => {
  for (const host of ['127.0.0.1', '::', '::1', 'localhost', 'arq-0.arq.svc.local', 'arq_node_1']) {
    t.equal(resolveNodeConfig({ flags: { host } }).host, host, `${host} is a host`);
  }
  for (const host of ['not a host', '[::1]', '-lead', 'a..b', 'a/b']) {
    t.throws(
      () => resolveNodeConfig({ flags: { host } }),
      { message: /^option host \(from flag --host\): must be an IP address or a host name/ },
      `${host} is no host`,
    );
  }
  for (const nats of ['nats://n:4222', 'n:4222', 'tls://u:p@n', 'nats://a:4222,nats://b:4222']) {
    t.equal(resolveNodeConfig({ flags: { nats } }).nats, nats, `${nats} is a NATS URL`);
  }
  const bad: Array<[string, RegExp]> = [
    ['http://n:4222', /must be a nats:\/\/ or tls:\/\/ URL/],
    ['ws://n:8080', /must be a nats:\/\/ or tls:\/\/ URL/],
    ['nats://a b', /must be a NATS URL/],
    ['nats://n:4222/path', /scheme, host and port only/],
    ['nats://n:0', /port 0/],
    ['nats://a:4222,', /empty entry/],
    ['nats://u:hunter2@n:99999', /^(?!.*hunter2)/],
  ];
  for (const [nats, message] of bad) {
    t.throws(
      () => resolveNodeConfig({ env: { ARQ_NATS: nats } }),
      { message: /^option nats \(from environment ARQ_NATS\): / },
      nats,
    );
    t.throws(() => resolveNodeConfig({ env: { ARQ_NATS: nats } }), { message }, nats);
  }
});

t.test('config - lists and booleans parse from text', async (t) => {
  const config = resolveNodeConfig({
    env: {
      ARQ_JWKS_ALGS: 'RS256, ES256',
      ARQ_JWKS_FILE: 'jwks.json',
      ARQ_DEV: '1',
      ARQ_CHAOS: 'False',
    },
  });
  t.same(config.jwksAlgs, ['RS256', 'ES256']);
  t.equal(config.dev, true);
  t.equal(config.chaos, false);
  t.equal(config.idleGc, true, 'idle-gc is on by default');
  t.equal(resolveNodeConfig({ env: { ARQ_IDLE_GC: 'false' } }).idleGc, false);
  t.throws(() => resolveNodeConfig({ env: { ARQ_DEV: 'yes' } }), {
    message: 'option dev (from environment ARQ_DEV): must be true or false, got "yes"',
  });
  t.throws(
    () => resolveNodeConfig({ env: { ARQ_JWKS_ALGS: 'RS256,HS256', ARQ_JWKS_FILE: 'j.json' } }),
    {
      message:
        /jwks-algs \(from environment ARQ_JWKS_ALGS\): must list only RS256, ES256, EdDSA, got "HS256"/,
    },
  );
  const file = fileWith('jwks-file: j.json\njwks-algs: [ES256]\n');
  t.same(resolveNodeConfig({ configFile: file }).jwksAlgs, ['ES256'], 'a YAML list');
});
