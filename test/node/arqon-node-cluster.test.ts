import t, { type Test } from 'tap';
import { roomKeyOf } from '../../actors/index.js';
import { ClusterRing } from '../../src/cluster/index.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { newSecret, startTestNode, type TestNode } from '../helpers/test-node.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

const CLUSTER_FLAGS = { 'down-after-ms': '800', 'presence-broadcast-ms': '50' };

async function cluster(t: Test, count: number): Promise<TestNode[]> {
  const nats = await startNatsServer();
  t.teardown(() => nats.stop());
  const secret = newSecret();
  const nodes: TestNode[] = [];
  for (let i = 0; i < count; i++) {
    const node = await startTestNode({
      ...CLUSTER_FLAGS,
      nats: nats.url,
      'node-id': `n${i + 1}`,
      'jwt-secret': secret,
    });
    t.teardown(() => node.close());
    nodes.push(node);
  }
  await Promise.all(nodes.map((n) => n.node.whenReady()));
  // Every node has heard every other before the test starts.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && nodes.some((n) => n.node.readiness !== 'ready')) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return nodes;
}

t.test('node cluster - members on different nodes share one room, presence included', async (t) => {
  const [a, b] = await cluster(t, 2);
  if (a === undefined || b === undefined) throw new Error('two nodes expected');
  const alice = await TestClient.connect(a.url, await a.token({ sub: 'alice' }));
  const bob = await TestClient.connect(b.url, await b.token({ sub: 'bob' }));
  t.teardown(() => {
    alice.client.close();
    bob.client.close();
  });
  t.not(alice.welcome.node, bob.welcome.node, 'two nodes');
  t.match(await alice.client.request({ op: 'join', room: 'lobby' }), { status: 'ok' });
  t.match(await bob.client.request({ op: 'join', room: 'lobby' }), { status: 'ok' });
  // Presence crosses nodes by gossip: alice sees bob join.
  await alice.client.nextWhere((f) => f.op === 'presence_diff' && 'bob' in (f.joins as object));
  const published = await bob.client.request({ op: 'publish', room: 'lobby', data: { from: 'b' } });
  t.match(published, { status: 'ok', body: { offset: 1 } });
  t.match(await alice.client.nextWhere((f) => f.op === 'message'), {
    from: 'bob',
    offset: 1,
    data: { from: 'b' },
  });
  t.match(
    await bob.client.nextWhere((f) => f.op === 'message'),
    { offset: 1 },
    'echo on the sender node',
  );
  await alice.client.request({ op: 'publish', room: 'lobby', data: { from: 'a' } });
  t.match(await bob.client.nextWhere((f) => f.op === 'message'), { from: 'alice', offset: 2 });
  bob.client.close();
  await alice.client.nextWhere((f) => f.op === 'presence_diff' && 'bob' in (f.leaves as object));
});

t.test(
  'node cluster - a node that leaves hands its rooms over; members elsewhere keep publishing',
  async (t) => {
    const [a, b] = await cluster(t, 2);
    if (a === undefined || b === undefined) throw new Error('two nodes expected');
    const alice = await TestClient.connect(a.url, await a.token({ sub: 'alice' }));
    t.teardown(() => alice.client.close());
    // Rooms spread over both owners; after b leaves, a owns them all and serves them.
    const rooms = Array.from({ length: 8 }, (_, i) => `r${i}`);
    for (const room of rooms)
      t.match(await alice.client.request({ op: 'join', room }), { status: 'ok' }, room);
    await b.close();
    for (const room of rooms) {
      let reply = await alice.client.request({ op: 'publish', room, data: room });
      // A publish racing the hand-over may be refused as overloaded; a retry lands on the new owner.
      for (let i = 0; i < 20 && reply.status !== 'ok'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        reply = await alice.client.request({ op: 'publish', room, data: room });
      }
      t.equal(reply.status, 'ok', `${room} serves again`);
      t.match(await alice.client.nextWhere((f) => f.op === 'message' && f.room === room), {
        data: room,
      });
    }
  },
);

t.test(
  'node cluster - a room whose owner drains keeps its stream: nothing lost, nothing reordered',
  async (t) => {
    const nodes = await cluster(t, 3);
    const [n1, n2, n3] = nodes;
    if (n1 === undefined || n2 === undefined || n3 === undefined) throw new Error('three nodes');
    // A room owned by n3, the node that drains.
    const ring = new ClusterRing(['n1', 'n2', 'n3']);
    let room = '';
    for (let i = 0; room === ''; i++) {
      if (ring.ownerOf(roomKeyOf('t1', `busy-${i}`)) === 'n3') room = `busy-${i}`;
    }
    const alice = await TestClient.connect(n1.url, await n1.token({ sub: 'alice' }));
    const bob = await TestClient.connect(n2.url, await n2.token({ sub: 'bob' }));
    t.teardown(() => {
      alice.client.close();
      bob.client.close();
    });
    const joined = await alice.client.request({ op: 'join', room });
    const epoch = (joined.body as { epoch: string }).epoch;
    t.match(await bob.client.request({ op: 'join', room }), { status: 'ok' });

    const failures: Frame[] = [];
    const atAlice: Frame[] = [];
    let sent = 0;
    let drained = false;
    let closing: Promise<void> | null = null;
    for (let after = 0; !drained || after < 30; ) {
      sent += 1;
      const { reply, before } = await alice.client.exchange({
        op: 'publish',
        room,
        data: { i: sent },
      });
      if (reply.status !== 'ok') failures.push(reply);
      atAlice.push(...before.filter((f) => f.op === 'message'));
      if (sent === 20)
        closing = n3.close().then(() => {
          drained = true;
        });
      if (drained) after += 1;
    }
    await closing;
    t.same(failures, [], 'every publish answered ok, through the drain');
    for (const [name, client, got] of [
      ['alice', alice.client, atAlice],
      ['bob', bob.client, [] as Frame[]],
    ] as const) {
      while (got.length < sent) {
        const frame = await client.next();
        if (frame.op === 'message') got.push(frame);
      }
      t.same(
        got.map((f) => (f.data as { i: number }).i),
        Array.from({ length: sent }, (_, i) => i + 1),
        `${name} got every message once, in order`,
      );
      t.same(
        got.map((f) => f.id),
        Array.from({ length: sent }, (_, i) => `${epoch}:${i + 1}`),
        `${name}: one stream (epoch) before and after the move, offsets going on`,
      );
    }
  },
);
