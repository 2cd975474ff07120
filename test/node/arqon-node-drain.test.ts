import t from 'tap';
import { http } from '../helpers/http.js';
import { spawnNode } from '../helpers/test-node.js';
import { TestClient } from '../helpers/ws-client.js';

t.test('node drain - SIGTERM: 4009 to clients, /readyz 503 while draining, exit 0', async (t) => {
  const node = await spawnNode(['--drain-timeout-ms', '5000']);
  t.teardown(() => {
    if (node.proc.exitCode === null) node.proc.kill('SIGKILL');
  });
  t.match((await http(`${node.http}/readyz`)).json, { status: 'ready' });
  const token = await node.token();
  const a = await TestClient.connect(node.url, token);
  const b = await TestClient.connect(node.url, await node.token({ sub: 'bob' }));
  t.match(await a.client.request({ op: 'join', room: 'lobby' }), { status: 'ok' });

  node.proc.kill('SIGTERM');
  t.equal((await a.client.closed).code, 4009, 'a member gets 4009');
  t.equal((await b.client.closed).code, 4009, 'a connection in no room gets 4009');
  const ready = await http(`${node.http}/readyz`);
  t.equal(ready.status, 503, '/readyz is 503 while draining');
  t.match(ready.json, { status: 'draining' });
  t.equal((await http(`${node.http}/healthz`)).status, 200, 'the process still serves');
  const refused = await TestClient.refused(`${node.url}?token=${token}`);
  t.equal(refused.status, 503, 'no new connections');
  t.match(refused.body, { error: { code: 'overloaded' } });
  t.equal(await node.exited, 0, 'exit code 0');
  t.match(node.output(), /SIGTERM: draining/);
});
