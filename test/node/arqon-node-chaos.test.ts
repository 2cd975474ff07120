import t from 'tap';
import { roomKeyOf } from '../../actors/index.js';
import { ShardPlacement } from '../../src/shard/index.js';
import { http } from '../helpers/http.js';
import { spawnNode } from '../helpers/test-node.js';
import { sleep, waitFor } from '../helpers/wait-for.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

const WORKERS = 2;

/** A room of tenant t1 that lives on `shard`. */
function roomOn(shard: number): string {
  const placement = new ShardPlacement(WORKERS);
  for (let i = 0; ; i++) {
    if (placement.shardOf(roomKeyOf('t1', `room${i}`)) === shard) return `room${i}`;
  }
}

t.test('node chaos - kill-worker: members stay connected, the room works again', async (t) => {
  const node = await spawnNode(['--chaos', '--workers', String(WORKERS)]);
  t.teardown(() => {
    if (node.proc.exitCode === null) node.proc.kill('SIGKILL');
  });
  const room = roomOn(1);
  const other = roomOn(0);
  const member = await TestClient.connect(node.url, await node.token({ sub: 'member' }));
  const pub = await TestClient.connect(node.url, await node.token({ sub: 'pub' }));
  t.teardown(() => {
    member.client.close();
    pub.client.close();
  });
  for (const r of [room, other]) {
    t.match(await member.client.request({ op: 'join', room: r }), { status: 'ok' });
  }
  const admin = await node.token({ sub: 'op', caps: ['admin'] });
  const kill = (body: unknown, token = admin) =>
    http(`${node.http}/v1/admin/chaos/kill-worker`, { token, body });

  const notAdmin = await kill({ shard: 1 }, await node.token({ caps: ['server'] }));
  t.equal(notAdmin.status, 403, 'the admin cap is required');
  t.match(notAdmin.json, { error: { code: 'forbidden' } });
  const noToken = await http(`${node.http}/v1/admin/chaos/kill-worker`, { body: { shard: 1 } });
  t.equal(noToken.status, 401);
  const outOfRange = await kill({ shard: 7 });
  t.equal(outOfRange.status, 400, 'a shard that does not exist');
  t.match(outOfRange.json, { error: { code: 'bad_frame' } });

  const killed = await kill({ shard: 1 });
  t.equal(killed.status, 200);
  t.same(killed.json, { killed: 1 });

  // Publishing is refused (overloaded) only while the shard restarts; it then works again.
  const published = await waitFor(async () => {
    const reply = await pub.client.request({ op: 'publish', room, data: 'after' });
    if (reply.status === 'ok') return reply;
    t.match(reply, { error: { code: 'overloaded' } }, 'only overloaded while restarting');
    await sleep(100);
    return null;
  }, 'a publish to the restarted room');
  t.match(published, { body: { offset: Number } });
  const message = await member.client.nextWhere((f: Frame) => f.op === 'message');
  t.match(message, { room, data: 'after', from: 'pub' }, 'the member gets it, without re-joining');
  t.match(await pub.client.request({ op: 'publish', room: other, data: 'x' }), { status: 'ok' });
  t.match(await member.client.nextWhere((f: Frame) => f.op === 'message'), { room: other });
  t.notOk(member.client.isClosed, 'the member stayed connected');
  t.notOk(pub.client.isClosed);
  // The log line travels through a pipe: wait for it rather than race it.
  await waitFor(() => /shard 1 restarted; 1 memberships restored/.test(node.output()), 'the log');
  const metrics = await http(`${node.http}/metrics`);
  t.match(metrics.text, /arq_shard_restarts_total\{[^}]*\} 1/);
});
