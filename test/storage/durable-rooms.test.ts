/**
 * Durable rooms through real sockets, a real node and a real nats-server with JetStream: a publish
 * is answered `ok` once it is in the stream, the room's epoch and offsets survive the room, its
 * shard and its node, `join` with `since` replays from the stream, and without JetStream durable
 * publishes are refused while other rooms work.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import t, { type Test } from 'tap';
import { ROOM_STREAM, roomStoreSubject } from '../../src/storage/index.js';
import { http } from '../helpers/http.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { sleep, waitFor } from '../helpers/wait-for.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

const isMessage = (f: Frame): boolean => f.op === 'message';
const DURABLE = { 'durable-rooms': 'd.>' };

/** The offsets JetStream holds for `room` of tenant t1, read with a client of the test's own. */
async function storedOffsets(natsUrl: string, room: string): Promise<number[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const subject = roomStoreSubject('t1', room);
    const offsets: number[] = [];
    const info = await jsm.streams.info(ROOM_STREAM);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(ROOM_STREAM, { seq }).catch(() => null);
      if (m !== null && m.subject === subject) offsets.push(Number(m.header.get('Arq-Offset')));
    }
    return offsets;
  } finally {
    await nc.close();
  }
}

/** A node storing `d.>` over `natsUrl`, once it has joined its (one-node) cluster. */
async function durableNode(natsUrl: string, flags: Record<string, string | boolean> = {}) {
  const node = await startTestNode({ nats: natsUrl, ...DURABLE, ...flags });
  await node.node.whenReady();
  return node;
}

async function client(t: Test, node: TestNode, sub: string): Promise<TestClient> {
  const { client } = await TestClient.connect(node.url, await node.token({ sub }));
  t.teardown(() => client.close());
  return client;
}

t.test(
  'durable rooms - ok after store, offsets and epoch survive the node, since replays',
  async (t) => {
    const nats = await startNatsServer({ jetstream: true });
    t.teardown(() => nats.stop());
    const first = await durableNode(nats.url);
    const pub = await client(t, first, 'pub');
    const joined = await pub.request({ op: 'join', room: 'd.chat' });
    t.match(joined, { status: 'ok', body: { epoch: String, offset: 0 } });
    const epoch = (joined.body as { epoch: string }).epoch;
    for (let n = 1; n <= 3; n++) {
      const reply = await pub.request({
        op: 'publish',
        room: 'd.chat',
        data: { n },
        headers: { 'x-twist-id': `tw-${n}` },
        echo: false,
      });
      t.match(reply, { status: 'ok', body: { id: `${epoch}:${n}`, offset: n } });
      // Answered ok: it is in the stream already, not on its way there.
      t.same(
        await storedOffsets(nats.url, 'd.chat'),
        Array.from({ length: n }, (_, i) => i + 1),
      );
    }
    const plain = await pub.request({ op: 'publish', room: 'plain', data: 'x' });
    t.match(plain, { status: 'ok', body: { offset: 1 } }, 'a room that is not durable');
    t.same(await storedOffsets(nats.url, 'plain'), [], 'is not stored');
    pub.close();
    await first.close();

    // A new node (a new process's worth of shards and rooms): the room reads its stream back.
    const second = await durableNode(nats.url);
    t.teardown(() => second.close());
    const late = await client(t, second, 'late');
    const resumed = await late.exchange({
      op: 'join',
      room: 'd.chat',
      since: { epoch, offset: 1 },
    });
    t.match(resumed.reply, { status: 'ok', body: { epoch, offset: 3 } }, 'same epoch and offset');
    t.notMatch(resumed.reply, { body: { recovered: false } }, 'recovered');
    const replayed = (await late.sync()).filter(isMessage);
    t.match(
      replayed,
      [
        { offset: 2, data: { n: 2 }, from: 'pub', headers: { 'x-twist-id': 'tw-2' } },
        { offset: 3, data: { n: 3 }, headers: { 'x-twist-id': 'tw-3' } },
      ],
      'what was missed, with its headers, once',
    );
    t.equal(replayed.length, 2);
    const next = await late.request({ op: 'publish', room: 'd.chat', data: { n: 4 } });
    t.match(next, { status: 'ok', body: { id: `${epoch}:4`, offset: 4 } }, 'offsets go on');
    t.same(await storedOffsets(nats.url, 'd.chat'), [1, 2, 3, 4]);

    const stranger = await client(t, second, 'stranger');
    const other = await stranger.exchange({
      op: 'join',
      room: 'd.chat',
      since: { epoch: 'not-this-one', offset: 1 },
    });
    t.match(other.reply, { status: 'ok', body: { epoch, offset: 4, recovered: false } });
    t.same((await stranger.sync()).filter(isMessage), [], 'nothing partial');
  },
);

t.test('durable rooms - a crashed shard: same epoch, the next offset', async (t) => {
  const nats = await startNatsServer({ jetstream: true });
  t.teardown(() => nats.stop());
  const node = await durableNode(nats.url, { chaos: true });
  t.teardown(() => node.close());
  const pub = await client(t, node, 'pub');
  const member = await client(t, node, 'member');
  const joined = await member.request({ op: 'join', room: 'd.crash' });
  const epoch = (joined.body as { epoch: string }).epoch;
  for (let n = 1; n <= 2; n++) {
    t.match(await pub.request({ op: 'publish', room: 'd.crash', data: n }), {
      body: { offset: n },
    });
  }
  const admin = await node.token({ sub: 'op', caps: ['admin'] });
  const killed = await http(`${node.http}/v1/admin/chaos/kill-worker`, {
    token: admin,
    body: { shard: 0 },
  });
  t.equal(killed.status, 200);
  const after = await waitFor(async () => {
    const reply = await pub.request({ op: 'publish', room: 'd.crash', data: 3 });
    if (reply.status === 'ok') return reply;
    t.match(reply, { error: { code: 'overloaded' } }, 'refused only while the shard restarts');
    await sleep(100);
    return null;
  }, 'a publish after the shard restarted');
  t.match(after, { body: { id: `${epoch}:3`, offset: 3 } }, 'the epoch and offsets went on');
  const seen = await waitFor(async () => {
    const frames = (await member.sync()).filter(isMessage);
    return frames.some((f) => f.offset === 3) ? frames : null;
  }, 'the member gets the message after the crash');
  t.match(seen.at(-1), { id: `${epoch}:3`, offset: 3, data: 3 });
  t.same(await storedOffsets(nats.url, 'd.crash'), [1, 2, 3]);
});

t.test(
  'durable rooms - without JetStream: durable publishes overloaded, other rooms work',
  async (t) => {
    const nats = await startNatsServer({ jetstream: false });
    t.teardown(() => nats.stop());
    const node = await durableNode(nats.url);
    t.teardown(() => node.close());
    const pub = await client(t, node, 'pub');
    const refused = await pub.request({ op: 'publish', room: 'd.nojs', data: 1 });
    t.match(refused, { status: 'error', error: { code: 'overloaded' } }, 'never a silent ok');
    const again = await pub.request({ op: 'publish', room: 'd.nojs', data: 2 });
    t.match(again, { status: 'error', error: { code: 'overloaded' } }, 'and again');
    const plain = await pub.request({ op: 'publish', room: 'plain', data: 1 });
    t.match(plain, { status: 'ok', body: { offset: 1 } });
    const join = await pub.request({ op: 'join', room: 'plain' });
    t.match(join, { status: 'ok' });
  },
);

/** Publishes `data` until the room answers ok (it answers overloaded while JetStream is away). */
async function publishUntilOk(t: Test, pub: TestClient, room: string, data: unknown) {
  return waitFor(
    async () => {
      const reply = await pub.request({ op: 'publish', room, data });
      if (reply.status === 'ok') return reply;
      t.match(reply, { error: { code: 'overloaded' } }, 'refused while JetStream is away');
      await sleep(100);
      return null;
    },
    `a stored publish of ${JSON.stringify(data)}`,
  );
}

t.test('durable rooms - nats-server restarted, then the stream deleted by hand', async (t) => {
  const nats = await startNatsServer({ jetstream: true });
  t.teardown(() => nats.stop());
  const node = await durableNode(nats.url);
  t.teardown(() => node.close());
  const pub = await client(t, node, 'pub');
  const member = await client(t, node, 'member');
  const joined = await member.request({ op: 'join', room: 'd.ops' });
  const epoch = (joined.body as { epoch: string }).epoch;
  t.match(await pub.request({ op: 'publish', room: 'd.ops', data: 1 }), { body: { offset: 1 } });

  await nats.restart();
  const afterRestart = await publishUntilOk(t, pub, 'd.ops', 2);
  t.match(afterRestart, { body: { id: `${epoch}:2`, offset: 2 } }, 'the same stream goes on');
  t.same(await storedOffsets(nats.url, 'd.ops'), [1, 2]);

  const nc = await connect({ servers: nats.url });
  await (await jetstreamManager(nc)).streams.delete(ROOM_STREAM);
  await nc.close();
  const afterDelete = await publishUntilOk(t, pub, 'd.ops', 3);
  t.match(afterDelete, { body: { id: `${epoch}:3`, offset: 3 } }, 'the room goes on');
  t.same(await storedOffsets(nats.url, 'd.ops'), [3], 'into a recreated stream');

  // Every ok message reached the member once, in order; none that was refused.
  const seen = await waitFor(async () => {
    const frames = (await member.sync()).filter(isMessage);
    return frames.length > 0 ? frames : null;
  }, 'the member saw the messages');
  const all = [...seen, ...(await member.sync()).filter(isMessage)];
  t.same(
    all.map((f) => f.offset),
    [1, 2, 3],
  );
});
