/**
 * `--workers 0`: a real node whose rooms run in the edge's thread, through real sockets: ordering,
 * presence, and the shard killed (chaos kill-worker) and restarted with its members kept.
 */
import t from 'tap';
import { http } from '../helpers/http.js';
import { spawnNode } from '../helpers/test-node.js';
import { sleep, waitFor } from '../helpers/wait-for.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

t.test(
  'inline shard - a node with workers 0 orders, presents and survives a shard kill',
  async (t) => {
    const node = await spawnNode(['--chaos', '--workers', '0']);
    t.teardown(() => {
      if (node.proc.exitCode === null) node.proc.kill('SIGKILL');
    });
    const member = await TestClient.connect(node.url, await node.token({ sub: 'member' }));
    const pub = await TestClient.connect(node.url, await node.token({ sub: 'pub' }));
    t.teardown(() => {
      member.client.close();
      pub.client.close();
    });
    t.match(await member.client.request({ op: 'join', room: 'lobby' }), { status: 'ok' });
    t.match(await pub.client.request({ op: 'join', room: 'lobby' }), { status: 'ok' });
    const diff = await member.client.nextWhere(
      (f: Frame) => f.op === 'presence_diff' && 'pub' in ((f.joins as object | undefined) ?? {}),
    );
    t.ok(diff, 'the member sees the publisher join');
    for (let i = 1; i <= 20; i++) pub.client.send({ op: 'publish', room: 'lobby', data: i });
    const got: unknown[] = [];
    while (got.length < 20)
      got.push((await member.client.nextWhere((f) => f.op === 'message')).data);
    t.same(
      got,
      Array.from({ length: 20 }, (_, i) => i + 1),
      'in order, each once',
    );

    const admin = await node.token({ sub: 'op', caps: ['admin'] });
    const killed = await http(`${node.http}/v1/admin/chaos/kill-worker`, {
      token: admin,
      body: { shard: 0 },
    });
    t.equal(killed.status, 200);
    const published = await waitFor(async () => {
      const reply = await pub.client.request({ op: 'publish', room: 'lobby', data: 'after' });
      if (reply.status === 'ok') return reply;
      t.match(reply, { error: { code: 'overloaded' } }, 'only overloaded while restarting');
      await sleep(50);
      return null;
    }, 'a publish to the restarted room');
    t.match(published, { body: { offset: Number } });
    t.match(await member.client.nextWhere((f) => f.op === 'message' && f.data === 'after'), {
      from: 'pub',
    });
    t.notOk(member.client.isClosed, 'the member stayed connected');
    const health = await http(`${node.http}/healthz`);
    t.equal(health.status, 200, 'the node kept serving');
  },
);
