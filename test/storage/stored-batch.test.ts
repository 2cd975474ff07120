/**
 * Group commit of durable rooms: several publishes queued behind a write go to JetStream as one
 * stored batch, and read back as the same messages (codec unit tests, then a burst through a real
 * node and nats-server, replayed by a second node).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import t from 'tap';
import {
  decodeStoredBatch,
  encodeStoredBatch,
  ROOM_STREAM,
  roomStoreSubject,
  StorageError,
} from '../../src/storage/index.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { startTestNode } from '../helpers/test-node.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

t.test('stored batch - entries read back with their offsets, times and payloads', async (t) => {
  const entries = [
    { epoch: 'E', offset: 7, ts: 1000.5, payload: bytes('seven') },
    { epoch: 'E', offset: 8, ts: 1001, payload: new Uint8Array(0) },
    { epoch: 'E', offset: 9, ts: 1002, payload: bytes('nine, the last') },
  ];
  const decoded = decodeStoredBatch(encodeStoredBatch(entries), 9, 3, 'room t|r');
  t.same(
    decoded.map((e) => ({ offset: e.offset, ts: e.ts, text: new TextDecoder().decode(e.payload) })),
    [
      { offset: 7, ts: 1000.5, text: 'seven' },
      { offset: 8, ts: 1001, text: '' },
      { offset: 9, ts: 1002, text: 'nine, the last' },
    ],
  );
});

t.test('stored batch - a body that does not match its count is corrupt, not guessed', async (t) => {
  const body = encodeStoredBatch([
    { epoch: 'E', offset: 1, ts: 1, payload: bytes('a') },
    { epoch: 'E', offset: 2, ts: 2, payload: bytes('b') },
  ]);
  for (const [what, b, count] of [
    ['count too high', body, 3],
    ['count too low', body, 1],
    ['cut short', body.subarray(0, body.byteLength - 1), 2],
  ] as const) {
    t.throws(() => decodeStoredBatch(b, 2, count, 'room t|r'), StorageError, what);
    t.throws(() => decodeStoredBatch(b, 2, count, 'room t|r'), { code: 'ARQ_ERR_STORAGE_CORRUPT' });
  }
});

/** How many messages JetStream holds for `room` of tenant t1, and how many room messages in them. */
async function stored(
  natsUrl: string,
  room: string,
): Promise<{ stored: number; messages: number }> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const subject = roomStoreSubject('t1', room);
    const info = await jsm.streams.info(ROOM_STREAM);
    let count = 0;
    let messages = 0;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(ROOM_STREAM, { seq }).catch(() => null);
      if (m === null || m.subject !== subject) continue;
      count++;
      messages += m.header.has('Arq-Count') ? Number(m.header.get('Arq-Count')) : 1;
    }
    return { stored: count, messages };
  } finally {
    await nc.close();
  }
}

t.test('stored batch - a burst is stored in fewer writes, all ok, replayed whole', async (t) => {
  const BURST = 300;
  const nats = await startNatsServer({ jetstream: true });
  t.teardown(() => nats.stop());
  // The burst is over the default publish budget of a connection (200): raised for this test.
  const flags = {
    nats: nats.url,
    'durable-rooms': 'd.>',
    'publish-rate': '10000',
    'publish-burst': '10000',
  };
  const first = await startTestNode(flags);
  await first.node.whenReady();
  const { client: pub } = await TestClient.connect(first.url, await first.token({ sub: 'pub' }));
  t.teardown(() => pub.close());
  const joined = await pub.request({ op: 'join', room: 'd.burst' });
  const epoch = (joined.body as { epoch: string }).epoch;
  // Sent at once: the first write goes alone, the rest queue behind it and go in batches.
  for (let n = 1; n <= BURST; n++)
    pub.send({ op: 'publish', room: 'd.burst', data: { n }, ref: `p${n}`, echo: false });
  const replies = new Map<string, Frame>();
  while (replies.size < BURST) {
    const frame = await pub.nextWhere((f) => f.op === 'reply', 20_000);
    replies.set(String(frame.ref), frame);
  }
  for (let n = 1; n <= BURST; n++)
    t.match(replies.get(`p${n}`), { status: 'ok', body: { offset: n } }, `publish ${n}`, {
      diagnostic: false,
    });
  const kept = await stored(nats.url, 'd.burst');
  t.equal(kept.messages, BURST, 'every message is stored');
  t.ok(kept.stored < BURST, `in fewer writes (${kept.stored})`);
  pub.close();
  await first.close();

  const second = await startTestNode(flags);
  t.teardown(() => second.close());
  await second.node.whenReady();
  const { client: late } = await TestClient.connect(
    second.url,
    await second.token({ sub: 'late' }),
  );
  t.teardown(() => late.close());
  const resumed = await late.exchange({ op: 'join', room: 'd.burst', since: { epoch, offset: 0 } });
  t.match(resumed.reply, { status: 'ok', body: { epoch, offset: BURST } });
  const replayed = (await late.sync()).filter((f) => f.op === 'message');
  t.same(
    replayed.map((f) => [f.offset, (f.data as { n: number }).n]),
    Array.from({ length: BURST }, (_, i) => [i + 1, i + 1]),
    'each once, in order, with its data',
  );
  const next = await late.request({ op: 'publish', room: 'd.burst', data: { n: 0 } });
  t.match(next, { status: 'ok', body: { id: `${epoch}:${BURST + 1}` } }, 'offsets go on');
});
