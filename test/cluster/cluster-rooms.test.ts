import { connect } from '@nats-io/transport-node';
import t from 'tap';
import { roomKeyOf } from '../../actors/index.js';
import { toWireError } from '../../proto/wire/index.js';
import {
  ClusterError,
  ClusterRooms,
  decodeRoomReply,
  encodeRoomFan,
  encodeRoomRequest,
  Membership,
  roomDirectSubject,
  roomFanoutSubject,
  roomPublishSubject,
} from '../../src/cluster/index.js';
import { ShardPool } from '../../src/shard/index.js';
import { eventually, sleep } from './fixtures/cluster-fixtures.js';
import {
  deliveriesOf,
  join,
  leave,
  publish,
  type Recorded,
  rejection,
  roomOwnedBy,
  serverSubscriptions,
  startCluster,
  TENANT,
} from './fixtures/cluster-rooms-fixtures.js';

const NODES = ['a', 'b', 'c'] as const;
const cluster = await startCluster(t, NODES);
const { a, b, c } = cluster.nodes as Record<(typeof NODES)[number], (typeof cluster.nodes)[string]>;
const roomName = (key: string): string => key.slice(key.indexOf('|') + 1);

t.test('cluster rooms - options are checked at construction, naming the option', async (t) => {
  const base = { connection: a.nc, membership: a.membership, local: a.pool, deliver: () => {} };
  t.throws(() => new ClusterRooms({ ...base, local: {} as never }), /options\.local/);
  t.throws(() => new ClusterRooms({ ...base, deliver: 1 as never }), /options\.deliver/);
  t.throws(() => new ClusterRooms({ ...base, membership: {} as never }), /options\.membership/);
  t.throws(() => new ClusterRooms({ ...base, requestTimeoutMs: 0 }), /options\.requestTimeoutMs/);
  t.throws(
    () => new ClusterRooms({ ...base, requestTimeoutMs: 100, notOwnerRetryMs: 100 }),
    /options\.notOwnerRetryMs/,
  );
  t.throws(() => new ClusterRooms({ ...base, handoffTimeoutMs: -1 }), /options\.handoffTimeoutMs/);
  t.throws(
    () => new ClusterRooms({ ...base, fanInLingerMs: 101 }),
    /options\.fanInLingerMs must be an integer from 0 to 100, got 101/,
  );
  t.throws(
    () => new ClusterRooms({ ...base, requestTimeoutMs: 1_000, handoffTimeoutMs: 1_000 }),
    /options\.handoffTimeoutMs must be below options\.requestTimeoutMs/,
  );
  t.throws(
    () => new ClusterRooms({ ...base, local: { join() {}, leave() {}, publish() {} } as never }),
    /exportRoom and importRoom/,
    'the local rooms must be able to hand rooms over',
  );
  const err = t.throws(() => new ClusterRooms({ ...base, connection: {} as never }));
  t.ok(err instanceof ClusterError && err.code === 'ARQ_ERR_CLUSTER_OPTIONS');
  await t.rejects(a.rooms.start(), { code: 'ARQ_ERR_CLUSTER_STATE' }, 'started twice');
  const unstarted = new ClusterRooms(base);
  const error = await rejection(join(unstarted, roomKeyOf(TENANT, 'x'), 1));
  t.equal(error.code, 'ARQ_ERR_SHARD_STOPPED', 'a gateway that is not started answers overloaded');
});

t.test('cluster rooms - a remote member gets every publish once, in offset order', async (t) => {
  const room = roomOwnedBy('a', NODES, 'order');
  t.equal(b.rooms.ownerOf(room), 'a');
  await join(b.rooms, room, 11);
  await join(a.rooms, room, 21);
  const replies = [];
  replies.push(await publish(a.rooms, room, 21, 'a1'));
  replies.push(await publish(c.rooms, room, 31, 'c1')); // a remote sender that is no member
  replies.push(await publish(b.rooms, room, 11, 'b1'));
  // Then a burst from two nodes at once, not awaited one by one.
  const burst = [];
  for (let i = 0; i < 20; i++) {
    burst.push(publish(a.rooms, room, 21, `a-burst-${i}`));
    burst.push(publish(c.rooms, room, 31, `c-burst-${i}`));
  }
  replies.push(...(await Promise.all(burst)));
  const epoch = replies[0]?.id.split(':')[0];
  t.same(
    replies.map((r) => r.id),
    replies.map((r) => `${epoch}:${r.offset}`),
    'publish replies carry the id epoch:offset',
  );
  t.same(
    replies.map((r) => r.offset).sort((x, y) => x - y),
    Array.from({ length: 43 }, (_, i) => i + 1),
  );
  await eventually(() => deliveriesOf(b, room).length >= 43, 'b has every message');
  await eventually(() => deliveriesOf(a, room).length >= 43, 'a has every message');
  await sleep(300); // room for duplicates to show up, were there any
  for (const node of [a, b]) {
    const got = deliveriesOf(node, room);
    t.same(
      got.map((d) => d.offset),
      Array.from({ length: 43 }, (_, i) => i + 1),
      `${node.name}: each offset once, in order`,
    );
    t.ok(
      got.every((d) => !d.direct && d.epoch === epoch),
      `${node.name}: live deliveries of one epoch`,
    );
  }
  t.same(
    deliveriesOf(b, room)
      .slice(0, 3)
      .map((d) => d.body),
    ['a1', 'c1', 'b1'],
  );
  t.same(deliveriesOf(c, room), [], 'c has no member: it gets nothing');
  t.equal(c.rooms.stats().fanReceived, 0);
  t.equal(a.rooms.stats().fanOwnEchoes, 0, 'the owner does not subscribe to its own fan-out');
});

t.test('cluster rooms - echo:false leaves out only the sender', async (t) => {
  const room = roomOwnedBy('a', NODES, 'echo');
  await join(b.rooms, room, 11);
  await join(b.rooms, room, 12);
  await join(a.rooms, room, 21);
  const fromB = await publish(b.rooms, room, 11, 'from-b', false);
  const fromC = await publish(c.rooms, room, 31, 'from-c', false);
  const fromA = await publish(a.rooms, room, 21, 'from-a', false);
  await eventually(() => deliveriesOf(b, room).length === 3, 'b has the three messages');
  const on = (node: typeof a, offset: number): Recorded | undefined =>
    deliveriesOf(node, room).find((d) => d.offset === offset);
  t.match(on(b, fromB.offset), { connId: 11, echo: false }, 'b leaves out its sender 11 only');
  t.match(on(a, fromB.offset), { connId: 0, echo: false }, 'a has no sender to leave out');
  t.match(on(b, fromC.offset), { connId: 0, echo: false }, 'a sender on c: nobody left out on b');
  t.match(on(a, fromA.offset), { connId: 21, echo: false }, 'a leaves out its sender 21');
  t.match(on(b, fromA.offset), { connId: 0, echo: false });
});

t.test('cluster rooms - the owner’s error answers map to the same wire errors', async (t) => {
  const room = roomOwnedBy('a', NODES, 'errors');
  const error = await rejection(leave(c.rooms, room, 31));
  t.equal(error.code, 'ARQ_ERR_NOT_JOINED', 'never joined anywhere on a');
  t.equal(toWireError(error).code, 'not_joined');
  // b's connection 11 has a proxy on a (it is in other rooms there): the room itself answers.
  const error2 = await rejection(leave(b.rooms, room, 11));
  t.equal(error2.code, 'ARQ_ERR_NOT_JOINED', 'the room says not joined');
  t.equal(toWireError(error2).code, 'not_joined');
  t.equal(b.rooms.stats().rooms, 2, 'b counts the rooms of earlier tests only');
});

t.test('cluster rooms - only nodes with local members subscribe to a room’s fan-out', async (t) => {
  const room = roomOwnedBy('a', NODES, 'interest');
  const subject = roomFanoutSubject(TENANT, roomName(room));
  const subscribed = async (name: string): Promise<boolean> =>
    (await serverSubscriptions(cluster.monitorPort, name)).includes(subject);
  t.notOk(await subscribed('b'), 'nobody before a join');
  await join(b.rooms, room, 13);
  await join(b.rooms, room, 14);
  await join(a.rooms, room, 22);
  t.ok(b.rooms.fanRooms().includes(room), 'b subscribes (its stats)');
  t.ok(await subscribed('b'), 'b subscribes (the server)');
  t.notOk(await subscribed('a'), 'the owner does not');
  t.notOk(await subscribed('c'), 'a node without members does not');
  t.notOk(c.rooms.fanRooms().includes(room));
  const proxies = a.rooms.stats().proxies;
  await leave(b.rooms, room, 13);
  t.ok(await subscribed('b'), 'b keeps it while one member is left');
  b.rooms.leave(room, 14, null); // a disconnect
  await eventually(() => !b.rooms.fanRooms().includes(room), 'b drops the subscription');
  await b.nc.flush(); // the server has b's UNSUB once it answers b's PING
  t.notOk(await subscribed('b'), 'gone from the server too');
  await eventually(() => a.rooms.stats().proxies === proxies - 2, 'a frees both proxies');
});

t.test(
  'cluster rooms - a join during a stream of publishes misses nothing after its reply',
  async (t) => {
    const room = roomOwnedBy('a', NODES, 'stream');
    let joinedAt: number | null = null;
    let sent = 0;
    const sends: Promise<unknown>[] = [];
    let afterJoin = 0;
    b.rooms.join(room, 15, null, false, (error, reply) => {
      t.equal(error, null);
      joinedAt = reply?.offset ?? -1;
      b.deliveries.push({ marker: `joined ${room}` });
    });
    // Publishes keep coming from the owner's own member while the join travels, and after it.
    while (afterJoin < 50) {
      for (let i = 0; i < 5; i++) {
        sends.push(publish(a.rooms, room, 23, `s${sent++}`));
        if (joinedAt !== null) afterJoin++;
      }
      await sleep(1);
    }
    await Promise.all(sends);
    const last = sent;
    await eventually(
      () => deliveriesOf(b, room).some((d) => d.offset === last),
      'b has the last message',
    );
    const marker = b.deliveries.findIndex((d) => 'marker' in d && d.marker === `joined ${room}`);
    const after = b.deliveries
      .slice(marker + 1)
      .filter((d): d is Recorded => 'roomKey' in d && d.roomKey === room)
      .map((d) => d.offset);
    const from = (joinedAt ?? 0) + 1;
    t.ok(last - from + 1 >= 50, 'the stream went on after the join');
    t.same(
      after,
      Array.from({ length: last - from + 1 }, (_, i) => from + i),
      'every message after the join offset, in order, none missed',
    );
  },
);

t.test(
  'cluster rooms - a second member joining on a batching node gets nothing from before its reply',
  async (t) => {
    // b already has a member in the room, so the owner fans every message out to b, and at 1+
    // per ms b's fan-in holds them for a batch. A second member joins on b meanwhile: what the
    // room ordered before that join must reach b's edge before the join's reply does (the new
    // member subscribes on the reply), held or not.
    const room = roomOwnedBy('a', NODES, 'batched-join');
    await join(b.rooms, room, 18);
    let sent = 0;
    const sends: Promise<unknown>[] = [];
    const stream = async (rounds: number): Promise<void> => {
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < 5; i++) sends.push(publish(c.rooms, room, 24, `s${sent++}`));
        await sleep(1);
      }
    };
    await stream(100);
    await eventually(() => deliveriesOf(b, room).length > 100, 'b receives the stream');
    let joinedAt: number | null = null;
    b.rooms.join(room, 17, null, false, (error, reply) => {
      t.equal(error, null);
      joinedAt = reply?.offset ?? -1;
      b.deliveries.push({ marker: `joined ${room}` });
    });
    await stream(10);
    // However slow the join's answer on a loaded machine, the stream goes on well past it.
    await eventually(() => joinedAt !== null, 'the join is answered');
    await stream(30);
    await Promise.all(sends);
    const last = sent;
    await eventually(
      () => deliveriesOf(b, room).some((d) => d.offset === last),
      'b has the last message',
    );
    t.ok(joinedAt !== null && joinedAt < last - 50, 'the stream went on after the join');
    const marker = b.deliveries.findIndex((d) => 'marker' in d && d.marker === `joined ${room}`);
    const offsets = (from: number, to: number): number[] =>
      b.deliveries
        .slice(from, to)
        .filter((d): d is Recorded => 'roomKey' in d && d.roomKey === room)
        .map((d) => d.offset);
    const before = offsets(0, marker);
    const after = offsets(marker + 1, b.deliveries.length);
    const first = before[0] ?? 1;
    t.same(
      before,
      Array.from({ length: (joinedAt ?? 0) - first + 1 }, (_, i) => first + i),
      'before the reply: everything up to the join offset',
    );
    t.same(
      after,
      Array.from({ length: last - (joinedAt ?? 0) }, (_, i) => (joinedAt ?? 0) + 1 + i),
      'after the reply: only what came after the join offset, in order',
    );
    await leave(b.rooms, room, 17);
    await leave(b.rooms, room, 18);
  },
);

t.test('cluster rooms - a remote join with since replays before live messages', async (t) => {
  const room = roomOwnedBy('a', NODES, 'replay');
  const first = await join(b.rooms, room, 16);
  await leave(b.rooms, room, 16);
  for (let i = 1; i <= 5; i++) await publish(a.rooms, room, 24, `missed-${i}`);
  const live = new Promise<unknown>((resolve, reject) => {
    b.rooms.join(room, 16, { epoch: first.epoch, offset: first.offset }, false, (error, reply) => {
      if (error !== null) return reject(error);
      t.equal(reply?.offset, first.offset + 5, 'the join reply is at the newest offset');
      t.equal(reply?.recovered, undefined, 'recovered (the same epoch)');
      // A live message sent the moment the join is answered comes after the replay.
      publish(c.rooms, room, 32, 'live').then(resolve, reject);
    });
  });
  await live;
  await eventually(
    () => deliveriesOf(b, room).some((d) => d.body === 'live'),
    'b has the live one',
  );
  const got = deliveriesOf(b, room).filter((d) => d.offset > first.offset);
  t.same(
    got.map((d) => [d.offset, d.direct, d.connId, d.body]),
    [
      [first.offset + 1, true, 16, 'missed-1'],
      [first.offset + 2, true, 16, 'missed-2'],
      [first.offset + 3, true, 16, 'missed-3'],
      [first.offset + 4, true, 16, 'missed-4'],
      [first.offset + 5, true, 16, 'missed-5'],
      [first.offset + 6, false, 0, 'live'],
    ],
    'the replay, for connection 16 only, then the live message',
  );
  t.notOk(
    deliveriesOf(a, room).some((d) => d.direct),
    'the owner keeps no replay for a remote joiner',
  );
  t.ok(b.rooms.stats().directReceived >= 5);
  const stale = await join(b.rooms, room, 17, { epoch: 'another-epoch', offset: 1 });
  t.equal(stale.recovered, false, 'recovered:false crosses the wire');
});

t.test('cluster rooms - malformed messages on its subjects are dropped', async (t) => {
  const raw = await connect({ servers: cluster.server.url });
  t.teardown(() => raw.close());
  const room = roomOwnedBy('a', NODES, 'malformed');
  await join(b.rooms, room, 18);
  const garbage = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]);

  const before = a.rooms.stats().malformed;
  const answer = await raw.request(roomPublishSubject(TENANT, 'a', roomName(room)), garbage);
  t.match(decodeRoomReply(answer.data), { type: 'failed', code: 'ARQ_ERR_CLUSTER_MALFORMED' });
  const wrongRoom = encodeRoomRequest({
    type: 'leave',
    tenant: TENANT,
    room: 'not-the-subject-room',
    node: 'x',
    incarnation: 'x1',
    conn: 1,
  });
  const answer2 = await raw.request(roomPublishSubject(TENANT, 'a', roomName(room)), wrongRoom);
  t.match(decodeRoomReply(answer2.data), { type: 'failed', code: 'ARQ_ERR_CLUSTER_MALFORMED' });
  t.equal(a.rooms.stats().malformed, before + 2, 'the owner counts both');

  // A well-formed request for a room c does not own, sent to c.
  const notOwner = encodeRoomRequest({
    type: 'leave',
    tenant: TENANT,
    room: roomName(room),
    node: 'x',
    incarnation: 'x1',
    conn: 1,
  });
  const answer3 = await raw.request(roomPublishSubject(TENANT, 'c', roomName(room)), notOwner);
  t.match(decodeRoomReply(answer3.data), { type: 'failed', code: 'ARQ_ERR_NOT_OWNER' });

  const bBefore = b.rooms.stats().malformed;
  const delivered = b.deliveries.length;
  raw.publish(roomFanoutSubject(TENANT, roomName(room)), garbage);
  raw.publish(
    roomFanoutSubject(TENANT, roomName(room)),
    encodeRoomFan({
      tenant: TENANT,
      room: 'another-room',
      owner: 'x',
      senderNode: 'x',
      senderConn: 0,
      offset: 1,
      epoch: 'e',
      ts: 0,
      ingressTs: 0,
      echo: true,
      body: new Uint8Array(0),
    }),
  );
  raw.publish(roomDirectSubject(TENANT, 'b', roomName(room)), garbage);
  raw.publish(roomDirectSubject(TENANT, 'b', roomName(room)), new Uint8Array(0));
  await raw.flush();
  await eventually(() => b.rooms.stats().malformed === bBefore + 4, 'b counts all four');
  t.equal(b.deliveries.length, delivered, 'none reached the edge');
  const ok = await publish(c.rooms, room, 33, 'still fine');
  await eventually(
    () => deliveriesOf(b, room).some((d) => d.offset === ok.offset),
    'and the room still works',
  );
});

t.test('cluster rooms - the edge failing on one delivery stops nothing', async (t) => {
  const nc = await connect({ servers: cluster.server.url, name: 'd' });
  const membership = new Membership({ connection: nc, node: 'd', heartbeatMs: 100 });
  const pool = new ShardPool({
    workers: 1,
    nodeId: 'd',
    onDelivery: (d) => rooms.onLocalDelivery(d),
  });
  const failures: unknown[] = [];
  const rooms: ClusterRooms = new ClusterRooms({
    connection: nc,
    membership,
    local: pool,
    deliver: () => {
      throw new TypeError('edge bug');
    },
    log: (event) => failures.push(event),
  });
  t.teardown(async () => {
    await rooms.close();
    await membership.leave();
    await pool.close();
    await nc.close();
  });
  await pool.start();
  await rooms.start();
  await membership.start();
  const room = roomOwnedBy('a', NODES, 'edge-bug', { members: [...NODES, 'd'], owner: 'a' });
  await eventually(
    () => membership.nodes().length === 4 && a.membership.nodes().includes('d'),
    'd and a see each other',
  );
  await join(rooms, room, 1);
  await publish(a.rooms, room, 25, 'one');
  await publish(a.rooms, room, 25, 'two');
  await eventually(() => rooms.stats().fanReceived === 2, 'd received both');
  t.equal(failures.filter((f) => (f as { type: string }).type === 'listener_failed').length, 2);
  await rooms.close();
  const error = await rejection(publish(rooms, room, 1, 'closed'));
  t.equal(error.code, 'ARQ_ERR_SHARD_STOPPED', 'after close: node is stopping');
  t.equal(toWireError(error).code, 'overloaded');
});
