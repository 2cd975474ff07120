import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  ConfigError,
  DEFAULT_PORT,
  defaultWorkers,
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
  const file = fileWith('port: 9001\nworkers: 3\nnode-id: from-file\nchaos: true\n');
  const env = { ARQ_PORT: '9002', ARQ_WORKERS: '2' };
  const config = resolveNodeConfig({ flags: { port: '9003' }, env, configFile: file });
  t.equal(config.port, 9003, 'flag wins');
  t.equal(config.workers, 2, 'environment beats file');
  t.equal(config.nodeId, 'from-file', 'file beats default');
  t.equal(config.chaos, true);
  t.equal(config.heartbeatMs > 0, true, 'default used');
});

t.test('config - bad values name the option and the source', async (t) => {
  t.throws(() => resolveNodeConfig({ env: { ARQ_PORT: 'eighty' } }), {
    code: 'ARQ_ERR_CONFIG_INVALID',
    message: /port \(from ARQ_PORT\) must be an integer/,
  });
  t.equal(resolveNodeConfig({}).ringLingerMs, 1, 'busy shards poll every 1 ms by default');
  t.equal(resolveNodeConfig({ env: { ARQ_RING_LINGER_MS: '0' } }).ringLingerMs, 0);
  t.throws(() => resolveNodeConfig({ flags: { 'ring-linger-ms': '5000' } }), {
    message: /ring-linger-ms/,
  });
  t.throws(() => resolveNodeConfig({ flags: { workers: '0' } }), {
    message: /workers \(from flag\) must be >= 1/,
  });
  t.throws(() => resolveNodeConfig({ flags: { 'jwt-alg': 'HS512', 'jwt-public-key': 'k.pem' } }), {
    message: /jwt-alg/,
  });
  t.throws(() => resolveNodeConfig({ flags: { 'tls-cert': 'c.pem' } }), { message: /tls-key/ });
  t.throws(
    () =>
      resolveNodeConfig({ flags: { 'max-frame-bytes': '4096', 'hard-max-frame-bytes': '1024' } }),
    {
      message: /hard-max-frame-bytes/,
    },
  );
  const err = t.throws(() => resolveNodeConfig({ configFile: fileWith('prot: 1\n') }));
  t.ok(err instanceof ConfigError);
  t.match(err, { code: 'ARQ_ERR_CONFIG_UNKNOWN', message: /unknown option "prot"/ });
  t.throws(() => resolveNodeConfig({ configFile: '/nonexistent/arq.yaml' }), {
    code: 'ARQ_ERR_CONFIG_FILE',
  });
  t.throws(() => resolveNodeConfig({ configFile: fileWith('- a\n- b\n') }), {
    code: 'ARQ_ERR_CONFIG_FILE',
  });
});

t.test('config - lists and booleans parse from text', async (t) => {
  const config = resolveNodeConfig({
    env: { ARQ_JWKS_ALGS: 'RS256, ES256', ARQ_DEV: '1', ARQ_CHAOS: 'false' },
  });
  t.same(config.jwksAlgs, ['RS256', 'ES256']);
  t.equal(config.dev, true);
  t.equal(config.chaos, false);
  t.equal(config.idleGc, true, 'idle-gc is on by default');
  t.equal(resolveNodeConfig({ env: { ARQ_IDLE_GC: 'false' } }).idleGc, false);
  t.throws(() => resolveNodeConfig({ env: { ARQ_DEV: 'yes' } }), {
    message: /dev \(from ARQ_DEV\) must be true or false/,
  });
});
