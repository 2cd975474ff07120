import t from 'tap';
import { runCli } from '../helpers/run-cli.js';
import { newSecret, spawnNode, startTestNode } from '../helpers/test-node.js';
import { waitFor } from '../helpers/wait-for.js';
import { TestClient } from '../helpers/ws-client.js';

t.test('cli - arq auth gen prints a token the node accepts', async (t) => {
  const secret = newSecret();
  const server = await startTestNode({ 'jwt-secret': secret });
  t.teardown(() => server.close());
  const run = await runCli([
    'auth',
    'gen',
    '--tenant',
    'acme',
    '--sub',
    'cli-user',
    '--rooms',
    'chat.*,news',
    '--ttl',
    '10m',
    // `=`: a base64url secret may start with '-', which a separate argument would make a flag.
    `--secret=${secret}`,
  ]);
  t.equal(run.code, 0, run.stderr);
  const token = run.stdout.trim();
  t.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'one compact JWT');
  const { client, welcome } = await TestClient.connect(server.url, token);
  t.teardown(() => client.close());
  t.match(welcome, { tenant: 'acme', sub: 'cli-user' });
  t.match(await client.request({ op: 'join', room: 'chat.one' }), { status: 'ok' });
  t.match(await client.request({ op: 'join', room: 'lobby' }), { error: { code: 'forbidden' } });

  const fromEnv = await runCli(['auth', 'gen', '--tenant', 'acme', '--sub', 'env'], {
    ARQ_JWT_SECRET: secret,
  });
  t.equal(fromEnv.code, 0, 'the secret from ARQ_JWT_SECRET');
  const second = await TestClient.connect(server.url, fromEnv.stdout.trim());
  t.match(second.welcome, { sub: 'env' });
  second.client.close();
});

t.test('cli - usage errors exit 2 and name what is wrong', async (t) => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['auth', 'gen', '--sub', 's', `--secret=${newSecret()}`], {}, /--tenant/],
    [['auth', 'gen', '--tenant', 't', '--sub', 's'], {}, /--secret.*ARQ_JWT_SECRET/],
    [['start', '--bogus'], {}, /--bogus/],
    [['start', '--port'], {}, /--port/],
    [['start', '--port', 'abc', `--jwt-secret=${newSecret()}`], {}, /port/],
    [['start', '--workers', '-1', `--jwt-secret=${newSecret()}`], {}, /workers/],
    [['start', '--port', '0'], {}, /jwt-secret/],
    [['frobnicate'], {}, /unknown command frobnicate/],
  ];
  for (const [args, env, pattern] of cases) {
    const run = await runCli(args, env);
    t.equal(run.code, 2, `arq ${args.join(' ')}: exit 2`);
    t.match(run.stderr, pattern, `arq ${args.join(' ')}: names it`);
  }
});

t.test('cli - a bad ARQ_PORT exits non-zero naming ARQ_PORT', async (t) => {
  const run = await runCli(['start'], { ARQ_PORT: 'seventy', ARQ_JWT_SECRET: newSecret() });
  t.not(run.code, 0);
  t.match(run.stderr, /ARQ_PORT/);
  const high = await runCli(['start'], { ARQ_PORT: '70000', ARQ_JWT_SECRET: newSecret() });
  t.not(high.code, 0);
  t.match(high.stderr, /ARQ_PORT.*65535/);
});

t.test('cli - arq start --dev prints a working token', async (t) => {
  const node = await spawnNode(['--dev'], { ARQ_JWT_SECRET: '' });
  t.teardown(() => {
    if (node.proc.exitCode === null) node.proc.kill('SIGKILL');
  });
  // The token is printed after the listening line: wait for the output to get there.
  await waitFor(() => node.output().includes('wscat'), 'the wscat line');
  const token = /dev token[^\n]*\n([\w.-]+)\n/.exec(node.output())?.[1];
  t.ok(token, 'a token line');
  t.match(node.output(), /wscat -c "ws:\/\/127\.0\.0\.1:\d+\/ws\?token=/);
  const { client, welcome } = await TestClient.connect(node.url, token ?? '');
  t.match(welcome, { tenant: 'dev', sub: 'dev-user' });
  t.match(await client.request({ op: 'join', room: 'lobby' }), { status: 'ok' });
  client.close();
  node.proc.kill('SIGINT');
  t.equal(await node.exited, 0, 'SIGINT drains and exits 0');
});
