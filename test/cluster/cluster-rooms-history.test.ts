/**
 * `history` in a cluster, through real sockets, two real nodes and a real nats-server with
 * JetStream: the reader's node is not the room's owner, so the read goes to the owner node (as a
 * join does) and its window answers, for a durable room and for an in-memory one, over the op and
 * over HTTP. (The in-memory room's messages exist only in n2's window: a page that holds them was
 * served there.)
 */
import t from 'tap';
import { roomKeyOf } from '../../actors/index.js';
import { ClusterRing } from '../../src/cluster/index.js';
import { http } from '../helpers/http.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { newSecret, startTestNode, type TestNode } from '../helpers/test-node.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

const offsets = (body: unknown): number[] =>
  (body as { messages: Frame[] }).messages.map((m) => m.offset as number);

/** A room name of `prefix` that the ring of n1 and n2 places on `owner`. */
function roomOwnedBy(owner: string, prefix: string): string {
  const ring = new ClusterRing(['n1', 'n2']);
  for (let i = 0; ; i++) {
    const room = `${prefix}${i}`;
    if (ring.ownerOf(roomKeyOf('t1', room)) === owner) return room;
  }
}

t.test('cluster rooms history - a read on a node that does not own the room', async (t) => {
  const nats = await startNatsServer({ jetstream: true });
  t.teardown(() => nats.stop());
  const secret = newSecret();
  const nodes: TestNode[] = [];
  for (const id of ['n1', 'n2']) {
    const node = await startTestNode({
      'down-after-ms': '800',
      nats: nats.url,
      'node-id': id,
      'jwt-secret': secret,
      'durable-rooms': 'd.>',
    });
    t.teardown(() => node.close());
    nodes.push(node);
  }
  const [a] = nodes as [TestNode, TestNode];
  await Promise.all(nodes.map((n) => n.node.whenReady()));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && nodes.some((n) => n.node.readiness !== 'ready')) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { client } = await TestClient.connect(a.url, await a.token({ sub: 'reader' }));
  t.teardown(() => client.close());
  const server = await a.token({ caps: ['server'] });

  for (const room of [roomOwnedBy('n2', 'd.c'), roomOwnedBy('n2', 'mem.c')]) {
    for (let n = 1; n <= 4; n++) {
      const reply = await client.request({
        op: 'publish',
        room,
        data: { n },
        headers: { h: `${n}` },
      });
      t.match(reply, { status: 'ok', body: { offset: n } }, `${room} publish ${n}`);
    }
    const latest = await client.request({ op: 'history', room, limit: 3 });
    t.match(latest, { status: 'ok', body: { offset: 4, more: true } }, room);
    t.same(offsets(latest.body), [2, 3, 4], `${room}: the owner's newest three`);
    const body = latest.body as { epoch: string; messages: Frame[] };
    t.match(body.messages[0], {
      op: 'message',
      room,
      id: `${body.epoch}:2`,
      from: 'reader',
      data: { n: 2 },
      headers: { h: '2' },
    });
    const since = await client.request({
      op: 'history',
      room,
      since: { epoch: body.epoch, offset: 2 },
    });
    t.same(offsets(since.body), [3, 4]);
    t.equal((since.body as { more: boolean }).more, false);
    const before = await client.request({ op: 'history', room, before: { offset: 2 } });
    t.same(offsets(before.body), [1]);
    const lost = await client.request({ op: 'history', room, since: { epoch: 'x', offset: 0 } });
    t.match(lost.body, { messages: [], more: false, recovered: false }, 'another epoch');
    const got = await http(`${a.http}/v1/rooms/${room}/history?before_offset=4&limit=2`, {
      token: server,
    });
    t.equal(got.status, 200);
    t.same(offsets(got.json), [2, 3], `${room} over HTTP on the other node`);
    t.match(got.json, { epoch: body.epoch, offset: 4, more: true });
  }
});
