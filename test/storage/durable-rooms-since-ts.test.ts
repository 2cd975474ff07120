/**
 * `join` with `since {"ts":<ms>}` ("time travel") through real sockets, a real node and a real
 * nats-server with JetStream: a new node reads the durable room back from its stream and replays
 * every kept message stored at or after that time, with its headers; a time past the newest
 * replays nothing and is still recovered; a malformed time is a bad frame.
 */
import t, { type Test } from 'tap';
import { startNatsServer } from '../helpers/nats-server.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { sleep } from '../helpers/wait-for.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

const isMessage = (f: Frame): boolean => f.op === 'message';

async function client(t: Test, node: TestNode, sub: string): Promise<TestClient> {
  const { client } = await TestClient.connect(node.url, await node.token({ sub }));
  t.teardown(() => client.close());
  return client;
}

t.test('durable rooms since ts - replays from a time after the room is read back', async (t) => {
  const nats = await startNatsServer({ jetstream: true });
  t.teardown(() => nats.stop());
  const first = await startTestNode({ nats: nats.url, 'durable-rooms': 'd.>' });
  await first.node.whenReady();
  const pub = await client(t, first, 'pub');
  const joined = await pub.request({ op: 'join', room: 'd.tt' });
  const epoch = (joined.body as { epoch: string }).epoch;
  const times: number[] = [];
  for (let n = 1; n <= 3; n++) {
    await sleep(30);
    times.push(Date.now());
    await sleep(5);
    const reply = await pub.request({
      op: 'publish',
      room: 'd.tt',
      data: { n },
      headers: { 'x-n': `h${n}` },
      echo: false,
    });
    t.match(reply, { status: 'ok', body: { offset: n } });
  }
  pub.close();
  await first.close();

  const second = await startTestNode({ nats: nats.url, 'durable-rooms': 'd.>' });
  t.teardown(() => second.close());
  await second.node.whenReady();
  const late = await client(t, second, 'late');
  const resumed = await late.exchange({ op: 'join', room: 'd.tt', since: { ts: times[1] } });
  t.match(resumed.reply, { status: 'ok', body: { epoch, offset: 3 } });
  t.notMatch(resumed.reply, { body: { recovered: false } }, 'recovered');
  const replayed = (await late.sync()).filter(isMessage);
  t.match(
    replayed,
    [
      { offset: 2, data: { n: 2 }, headers: { 'x-n': 'h2' } },
      { offset: 3, data: { n: 3 }, headers: { 'x-n': 'h3' } },
    ],
    'from that time on, with headers',
  );
  t.equal(replayed.length, 2);

  const all = await client(t, second, 'all');
  const fromZero = await all.exchange({ op: 'join', room: 'd.tt', since: { ts: 0 } });
  t.notMatch(fromZero.reply, { body: { recovered: false } });
  t.same(
    (await all.sync()).filter(isMessage).map((f) => f.offset),
    [1, 2, 3],
    'every kept message',
  );

  const future = await client(t, second, 'future');
  const ahead = await future.exchange({
    op: 'join',
    room: 'd.tt',
    since: { ts: Date.now() + 60_000 },
  });
  t.match(ahead.reply, { status: 'ok', body: { epoch, offset: 3 } });
  t.notMatch(ahead.reply, { body: { recovered: false } }, 'nothing missed');
  t.same((await future.sync()).filter(isMessage), [], 'nothing to replay');

  const bad = await client(t, second, 'bad');
  const refused = await bad.request({ op: 'join', room: 'd.tt', since: { ts: -1 } });
  t.match(refused, { status: 'error', error: { code: 'bad_frame' } });
});
