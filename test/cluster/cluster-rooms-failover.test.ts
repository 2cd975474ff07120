import t from 'tap';
import { toWireError } from '../../proto/wire/index.js';
import { Membership, ownerPublishWildcard } from '../../src/cluster/index.js';
import { connectTo, eventually, sleep } from './fixtures/cluster-fixtures.js';
import {
  deliveriesOf,
  join,
  leave,
  publish,
  rejection,
  restoreOnMove,
  roomOwnedBy,
  startCluster,
  type TestNode,
} from './fixtures/cluster-rooms-fixtures.js';

t.test(
  'cluster rooms - a killed owner: overloaded at once, then its new owner serves',
  async (t) => {
    const names = ['a', 'b', 'c'];
    // c notices deaths 3 s after b does: b's restore usually reaches c while c still places the
    // room on a.
    const { nodes } = await startCluster(t, names, {
      requestTimeoutMs: 10_000,
      downAfterMs: { c: 4_000 },
    });
    const { a, b, c } = nodes as Record<string, TestNode>;
    if (a === undefined || b === undefined || c === undefined) throw new RangeError('nodes');
    const room = roomOwnedBy('a', names, 'failover', { members: ['b', 'c'], owner: 'c' });
    await join(b.rooms, room, 11);
    await join(a.rooms, room, 21);
    const before = await publish(c.rooms, room, 31, 'before');
    await eventually(() => deliveriesOf(b, room).length === 1, 'b has the first message');
    const restored = restoreOnMove(b, { [room]: [11] });
    // When b and c saw a go down, and when b's restore was answered: printed before the branch
    // below, so that a run that takes its rarer path says why.
    const killedAt = performance.now();
    const timeline: string[] = [];
    const at = (what: string): void => {
      timeline.push(`${Math.round(performance.now() - killedAt)} ms: ${what}`);
    };
    for (const [name, node] of [
      ['b', b],
      ['c', c],
    ] as const) {
      node.membership.on((e) => {
        if (e.type === 'down' && e.member.node === 'a') at(`${name} saw a down`);
      });
    }

    await a.kill();
    const error = await rejection(publish(b.rooms, room, 11, 'to the dead'));
    t.equal(error.code, 'ARQ_ERR_SHARD_DOWN', 'a request to the dead owner fails, typed');
    t.equal(toWireError(error).code, 'overloaded', 'which the client sees as overloaded');

    await eventually(() => b.events.some((e) => e.moved(room)), 'b reports the room moved');
    const event = b.events.find((e) => e.moved(room));
    t.equal(event?.reason, 'membership');
    t.ok(event?.rooms.includes(room));
    t.equal(b.rooms.ownerOf(room), 'c');
    await eventually(() => restored.length === 1, 'the restore is answered');
    at('b’s restore seen answered');
    t.equal(restored[0], null, 'b’s member re-joined on c');
    const cStats = c.rooms.stats();
    const bStats = b.rooms.stats();
    // Usually c still places the room on a when b's restore comes, answers NOT_OWNER, and b
    // retries until c's ring moves too. On a loaded machine b's restore can come after that (seen in
    // CI with c's down time at 4 s and at 8 s): then c serves it at once, which is right too.
    // NOT_OWNER answers and retry order have their own tests (cluster-rooms, room-lanes).
    t.comment(`timeline after a's kill: ${timeline.join('; ')}`);
    if (cStats.notOwner > 0) {
      t.ok(
        bStats.retries > 0,
        `c said NOT_OWNER while its ring lagged; b retried (${JSON.stringify(bStats)})`,
      );
    } else {
      t.equal(cStats.requestsServed, 1, `c owned the room already and served the restore at once`);
    }
    t.ok(b.rooms.fanRooms().includes(room), 'b still listens: the new owner is remote too');
    t.equal(c.rooms.stats().proxies, 1, 'c holds b’s member');

    await eventually(() => c.rooms.ownerOf(room) === 'c', 'c owns the room');
    const after = await publish(c.rooms, room, 31, 'after');
    await eventually(() => deliveriesOf(b, room).some((d) => d.body === 'after'), 'b has it');
    const got = deliveriesOf(b, room);
    t.same(
      got.map((d) => d.body),
      ['before', 'after'],
    );
    t.not(got[1]?.epoch, got[0]?.epoch, 'a new stream on the new owner');
    t.equal(after.id, `${got[1]?.epoch}:${after.offset}`);
    t.not(after.id.split(':')[0], before.id.split(':')[0]);
  },
);

t.test('cluster rooms - a silent owner: the typed error once the timeout is spent', async (t) => {
  const requestTimeoutMs = 1_000;
  const cluster = await startCluster(t, ['a', 'b'], { requestTimeoutMs });
  const b = cluster.nodes.b as TestNode;
  // z heartbeats and takes requests, but never answers them.
  const nc = await connectTo(cluster.server.url, { name: 'z' });
  let heard = 0;
  nc.subscribe(ownerPublishWildcard('z'), {
    callback: () => {
      heard++;
    },
  });
  const z = new Membership({ connection: nc, node: 'z', heartbeatMs: 100, downAfterMs: 1_000 });
  t.teardown(async () => {
    await z.close();
    await nc.close();
  });
  await z.start();
  await eventually(() => b.membership.nodes().includes('z'), 'b sees z');
  const room = roomOwnedBy('z', ['a', 'b', 'z'], 'silent');

  const started = performance.now();
  const error = await rejection(publish(b.rooms, room, 11, 'lost'));
  const waited = performance.now() - started;
  t.equal(error.code, 'ARQ_ERR_SHARD_DOWN');
  t.equal(toWireError(error).code, 'overloaded');
  t.ok(waited >= requestTimeoutMs - 1, `it waited for the owner (${Math.round(waited)} ms)`);
  t.equal(heard, 1, 'z got the request');

  const joinError = await rejection(join(b.rooms, room, 12));
  t.equal(joinError.code, 'ARQ_ERR_SHARD_DOWN');
  t.match(
    b.rooms.stats(),
    { rooms: 0, fanSubscriptions: 0, pendingRequests: 0 },
    'a failed join leaves no interest and no subscription behind',
  );

  const pending = rejection(publish(b.rooms, room, 11, 'cut short'));
  await sleep(50);
  await b.rooms.close();
  t.equal((await pending).code, 'ARQ_ERR_SHARD_STOPPED', 'close() ends requests in flight');
});

t.test('cluster rooms - a member node that dies is taken out of the owner’s rooms', async (t) => {
  const names = ['a', 'b'];
  const { nodes } = await startCluster(t, names);
  const a = nodes.a as TestNode;
  const b = nodes.b as TestNode;
  const room = roomOwnedBy('a', names, 'member-dies', { members: ['a'], owner: 'a' });
  await join(b.rooms, room, 11);
  await join(b.rooms, room, 12);
  await join(a.rooms, room, 21);
  t.equal(a.rooms.stats().proxies, 2);
  await publish(a.rooms, room, 21, 'to b');
  t.equal(a.rooms.stats().fanSent, 1, 'one fan-out message for two remote members');

  await b.kill();
  await eventually(() => a.rooms.stats().proxies === 0, 'a drops b’s proxies');
  t.same(a.events, [], 'nothing moved: a owns every room alone');
  await publish(a.rooms, room, 21, 'nobody remote');
  t.equal(a.rooms.stats().fanSent, 1, 'no fan-out without remote members');
  t.equal(deliveriesOf(a, room).length, 2, 'a’s own member still gets everything');
});

t.test('cluster rooms - remote members are restored when the owner’s shard restarts', async (t) => {
  const names = ['a', 'b'];
  const { nodes } = await startCluster(t, names);
  const a = nodes.a as TestNode;
  const b = nodes.b as TestNode;
  const room = roomOwnedBy('a', names, 'shard-restart');
  const other = roomOwnedBy('a', names, 'shard-restart-other');
  await join(b.rooms, room, 11);
  await join(b.rooms, other, 12);
  t.ok(a.pool.killShard(0));
  await eventually(
    () => a.poolEvents.some((e) => e.type === 'shard-started' && e.restart),
    'the shard restarts',
  );
  // What the node does for its shard's rooms; `other` is left out to show the difference.
  t.equal(
    a.rooms.restoreRemote((key) => key === room),
    1,
  );
  await leave(b.rooms, room, 11);
  t.pass('the restored member leaves normally');
  const error = await rejection(leave(b.rooms, other, 12));
  t.equal(error.code, 'ARQ_ERR_NOT_JOINED', 'the room that was not restored lost its member');
});

t.test('cluster rooms - a restarted owner is reported and its rooms are re-joined', async (t) => {
  const names = ['a', 'b'];
  const cluster = await startCluster(t, names);
  const a = cluster.nodes.a as TestNode;
  const b = cluster.nodes.b as TestNode;
  const room = roomOwnedBy('a', names, 'restarted');
  await join(b.rooms, room, 11);
  const restored = restoreOnMove(b, { [room]: [11] });
  await a.kill();
  const a2 = await cluster.addNode('a');
  t.not(a2.membership.self.incarnation, a.membership.self.incarnation, 'a new life');
  await eventually(() => restored.length >= 1, 'b re-joins');
  t.ok(
    b.events.some((e) => e.moved(room)),
    'b reported the room (owner-restarted, or moved if b saw a down first)',
  );
  t.same(
    restored.filter((e) => e !== null),
    [],
  );
  await eventually(() => a2.rooms.stats().proxies === 1, 'the new a holds b’s member');
  await publish(a2.rooms, room, 21, 'from the new life');
  await eventually(
    () => deliveriesOf(b, room).some((d) => d.body === 'from the new life'),
    'b gets the new owner’s messages',
  );
});
