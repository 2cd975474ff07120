import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { shippedPolicyPath } from '../../src/policy/index.js';
import { runCli } from '../helpers/run-cli.js';
import { startTestNode } from '../helpers/test-node.js';
import { fixturePath } from '../policy/fixtures/policy-fixtures.js';

t.test('cli - arq policy push, ls and rm against a node, and a refused push exits 1', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const env = {
    ARQ_URL: server.url,
    ARQ_TOKEN: await server.token({ tenant: 'ops', sub: 'root', caps: ['admin'] }),
  };
  const file = shippedPolicyPath('deny-words');
  const pushed = await runCli(['policy', 'push', 'words', file, '--tenant', 't1'], env);
  t.equal(pushed.code, 0, pushed.stderr);
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  t.match(JSON.parse(pushed.stdout), {
    name: 'words',
    tenant: 't1',
    sha256,
    hooks: ['on_publish'],
  });

  const listed = await runCli(['policy', 'ls', '--url', server.http], env);
  t.equal(listed.code, 0, listed.stderr);
  t.match(
    listed.stdout,
    new RegExp(`^words\\ttenant:t1\\t\\d+\\ton_publish\\t50\\t${sha256}$`, 'm'),
  );

  const refused = await runCli(['policy', 'push', 'words', fixturePath('no-hooks')], env);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /400 bad_frame the module exports no hook/);

  t.equal((await runCli(['policy', 'rm', 'words', '--tenant', 't1'], env)).code, 0);
  const gone = await runCli(['policy', 'rm', 'words', '--tenant', 't1'], env);
  t.equal(gone.code, 1);
  t.match(gone.stderr, /404 no_such_room/);
  t.equal((await runCli(['policy', 'push', 'words'], env)).code, 2, 'a missing FILE is usage');
  t.equal((await runCli(['policy', 'ls'], { ARQ_URL: server.url })).code, 2, 'no token is usage');
});
