/**
 * The `history` op and `GET /v1/rooms/:room/history` on a durable room, through real sockets, a
 * real node and a real nats-server with JetStream: latest, since an offset, since a time, before
 * an offset, limit and `more`; the same pages after a restart (the room read back from its
 * stream); the HTTP route with its 400s and its capability; the errors of a bad request and of a
 * room the token does not allow.
 */
import t, { type Test } from 'tap';
import { http } from '../helpers/http.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { startTestNode, type TestNode, type TokenClaims } from '../helpers/test-node.js';
import { sleep } from '../helpers/wait-for.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

interface Page {
  readonly epoch: string;
  readonly offset: number;
  readonly messages: Frame[];
  readonly more: boolean;
  readonly recovered?: boolean;
}

async function client(t: Test, node: TestNode, claims: TokenClaims = {}): Promise<TestClient> {
  const { client } = await TestClient.connect(node.url, await node.token(claims));
  t.teardown(() => client.close());
  return client;
}

async function history(c: TestClient, frame: Record<string, unknown>): Promise<Page> {
  const reply = await c.request({ op: 'history', room: 'd.h', ...frame });
  if (reply.status !== 'ok') throw new Error(`history failed: ${JSON.stringify(reply)}`);
  return reply.body as Page;
}

const offsets = (page: Page): number[] => page.messages.map((m) => m.offset as number);

t.test('durable rooms history - pages of a durable room, before and after a restart', async (t) => {
  const nats = await startNatsServer({ jetstream: true });
  t.teardown(() => nats.stop());
  const first = await startTestNode({ nats: nats.url, 'durable-rooms': 'd.>' });
  await first.node.whenReady();
  const pub = await client(t, first, { sub: 'pub' });
  const times: number[] = [];
  for (let n = 1; n <= 5; n++) {
    await sleep(15);
    times.push(Date.now());
    await sleep(5);
    const reply = await pub.request({
      op: 'publish',
      room: 'd.h',
      data: { n },
      headers: { 'x-n': `h${n}` },
    });
    t.match(reply, { status: 'ok', body: { offset: n } });
  }
  const live = await history(pub, {});
  t.same(offsets(live), [1, 2, 3, 4, 5], 'the latest, oldest first (not a member)');
  t.equal(live.more, false);
  t.match(live.messages[0], {
    op: 'message',
    room: 'd.h',
    id: `${live.epoch}:1`,
    offset: 1,
    from: 'pub',
    data: { n: 1 },
    headers: { 'x-n': 'h1' },
  });
  t.type(live.messages[0]?.ts, 'number');
  const epoch = live.epoch;
  pub.close();
  await first.close();

  const second = await startTestNode({ nats: nats.url, 'durable-rooms': 'd.>' });
  t.teardown(() => second.close());
  await second.node.whenReady();
  const reader = await client(t, second, { sub: 'reader' });

  const latest = await history(reader, { limit: 2 });
  t.match(latest, { epoch, offset: 5, more: true });
  t.same(offsets(latest), [4, 5], 'read back from the stream: the newest two');
  t.notOk('recovered' in latest);
  const before = await history(reader, { before: { offset: 4 }, limit: 2 });
  t.same(offsets(before), [2, 3]);
  t.equal(before.more, true, 'offset 1 is older');
  const oldest = await history(reader, { before: { offset: 2 } });
  t.same(offsets(oldest), [1]);
  t.equal(oldest.more, false);
  const since = await history(reader, { since: { epoch, offset: 1 }, limit: 3 });
  t.same(offsets(since), [2, 3, 4]);
  t.equal(since.more, true, 'offset 5 is newer');
  const fromTime = await history(reader, { since: { ts: times[3] } });
  t.same(offsets(fromTime), [4, 5], 'stored at or after that time');
  t.equal(fromTime.more, false);
  t.match(fromTime.messages[1], { data: { n: 5 }, headers: { 'x-n': 'h5' } });
  const otherEpoch = await history(reader, { since: { epoch: 'nope', offset: 1 } });
  t.same(otherEpoch, { epoch, offset: 5, messages: [], more: false, recovered: false });
  const ahead = await history(reader, { since: { epoch, offset: 5 } });
  t.same(ahead, { epoch, offset: 5, messages: [], more: false }, 'nothing newer');

  for (const [frame, what] of [
    [{ limit: 1001 }, 'limit over 1000'],
    [{ limit: 0 }, 'limit 0'],
    [{ limit: 2.5 }, 'a fractional limit'],
    [{ since: { ts: 1 }, before: { offset: 3 } }, 'both since and before'],
    [{ before: 3 }, 'before not an object'],
    [{ since: { epoch } }, 'since without offset'],
  ] as const) {
    const refused = await reader.request({ op: 'history', room: 'd.h', ...frame });
    t.match(refused, { status: 'error', error: { code: 'bad_frame' } }, what);
  }

  const narrow = await client(t, second, { sub: 'narrow', rooms: ['other.>'] });
  const join = await narrow.request({ op: 'join', room: 'd.h' });
  const read = await narrow.request({ op: 'history', room: 'd.h' });
  t.match(read, { status: 'error', error: { code: 'forbidden' } });
  t.same(
    (read as { error?: unknown }).error,
    (join as { error?: unknown }).error,
    'the same error as join',
  );

  // The HTTP route: same body, server capability, the token's tenant.
  const server = await second.token({ caps: ['server'] });
  const url = `${second.http}/v1/rooms/d.h/history`;
  const got = await http(`${url}?since_offset=2&limit=2`, { token: server });
  t.equal(got.status, 200);
  t.match(got.json, { epoch, offset: 5, more: true });
  t.same(offsets(got.json as Page), [3, 4], 'since_offset counts in the current epoch');
  const withEpoch = await http(`${url}?since_offset=2&epoch=${epoch}`, { token: server });
  t.same(offsets(withEpoch.json as Page), [3, 4, 5]);
  const wrongEpoch = await http(`${url}?since_offset=2&epoch=nope`, { token: server });
  t.match(wrongEpoch.json, { messages: [], more: false, recovered: false });
  const byTime = await http(`${url}?since_ts=${times[4]}`, { token: server });
  t.same(offsets(byTime.json as Page), [5]);
  const older = await http(`${url}?before_offset=3`, { token: server });
  t.same(offsets(older.json as Page), [1, 2]);
  const all = await http(url, { token: server });
  t.same(offsets(all.json as Page), [1, 2, 3, 4, 5]);
  t.same(all.json, { ...(live as object), messages: (all.json as Page).messages });
  t.same(
    (all.json as Page).messages.map((m) => m.data),
    live.messages.map((m) => m.data),
    'the very frames the op returned',
  );
  for (const query of [
    'limit=1001',
    'limit=0',
    'limit=x',
    'since_offset=-1',
    'since_offset=1&before_offset=3',
    'since_ts=1&since_offset=1',
    'epoch=abc',
  ]) {
    const bad = await http(`${url}?${query}`, { token: server });
    t.equal(bad.status, 400, query);
    t.match(bad.json, { error: { code: 'bad_frame' } }, query);
  }
  const noCap = await http(url, { token: await second.token() });
  t.equal(noCap.status, 403, 'without the server capability');
  t.match(noCap.json, { error: { code: 'forbidden' } });
  const noToken = await http(url);
  t.equal(noToken.status, 401);
  const otherRoom = await http(url, {
    token: await second.token({ caps: ['server'], rooms: ['other.>'] }),
  });
  t.equal(otherRoom.status, 403, 'a room the token does not allow');
  const otherTenant = await http(url, {
    token: await second.token({ caps: ['server'], tenant: 't2' }),
  });
  t.match(otherTenant.json, { offset: 0, messages: [], more: false }, "another tenant's room");
});

t.test('durable rooms history - an in-memory room pages its window, cut by bytes', async (t) => {
  const node = await startTestNode();
  t.teardown(() => node.close());
  const c = await client(t, node, { sub: 'mem' });
  const text = 'x'.repeat(60_000);
  for (let n = 1; n <= 14; n++) {
    const reply = await c.request({ op: 'publish', room: 'm.h', data: { n, text } });
    t.equal(reply.status, 'ok', `publish ${n}`);
  }
  const reply = await c.request({ op: 'history', room: 'm.h' });
  const page = reply.body as Page;
  t.match(page, { offset: 14, more: true }, 'more: the page stopped at its byte budget');
  const got = offsets(page);
  t.ok(got.length >= 10 && got.length < 14, `${got.length} of 14 messages`);
  t.equal(got.at(-1), 14, 'the newest');
  t.ok(
    page.messages.reduce((sum, m) => sum + JSON.stringify(m.data).length, 0) <= 768 * 1024,
    'at most 768 KiB of data',
  );
  const rest = await c.request({ op: 'history', room: 'm.h', before: { offset: got[0] } });
  t.same(
    offsets(rest.body as Page),
    Array.from({ length: (got[0] ?? 1) - 1 }, (_, i) => i + 1),
  );
  t.equal((rest.body as Page).more, false, 'the window holds them all (1 MiB)');
  const small = await c.request({ op: 'history', room: 'm.h', since: { ts: 0 }, limit: 2 });
  t.same(offsets(small.body as Page), [1, 2]);
  t.equal((small.body as Page).more, true);
});

t.test('durable rooms history - messages past history-max-age are not served', async (t) => {
  const nats = await startNatsServer({ jetstream: true });
  t.teardown(() => nats.stop());
  const node = await startTestNode({
    nats: nats.url,
    'durable-rooms': 'd.>',
    'history-max-age': '1',
  });
  t.teardown(() => node.close());
  await node.node.whenReady();
  const c = await client(t, node, { sub: 'aged' });
  for (let n = 1; n <= 2; n++)
    t.match(await c.request({ op: 'publish', room: 'd.h', data: n }), { status: 'ok' });
  t.same(offsets(await history(c, {})), [1, 2], 'both within the age');
  await sleep(1_300);
  // The stream dropped every message of the room: the next write follows nothing, and is stored.
  const published = await c.request({ op: 'publish', room: 'd.h', data: 3 });
  t.match(published, { status: 'ok' });
  const page = await history(c, {});
  t.same(
    page.messages.map((m) => m.data),
    [3],
    'only the new one: 1 and 2 are past the age (the stream dropped them)',
  );
  t.equal(page.more, false);
  const since = await history(c, { since: { epoch: page.epoch, offset: 0 } });
  t.same(since.messages, [], 'a since whose next messages expired');
  t.equal(since.recovered, false);
  // join replays what history serves: nothing past the age.
  const late = await client(t, node, { sub: 'late' });
  const joined = await late.exchange({
    op: 'join',
    room: 'd.h',
    since: { epoch: page.epoch, offset: 0 },
  });
  t.match(joined.reply, { status: 'ok', body: { recovered: false } }, 'join since: not recovered');
  t.same(
    (await late.sync()).filter((f) => f.op === 'message'),
    [],
    'and nothing partial',
  );
});

t.test(
  'durable rooms history - past the connection budget a request is rate_limited',
  async (t) => {
    const node = await startTestNode({ 'history-rate': '1', 'history-burst': '2' });
    t.teardown(() => node.close());
    const c = await client(t, node, { sub: 'reader' });
    t.equal((await c.request({ op: 'publish', room: 'm.r', data: 1 })).status, 'ok');
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await c.request({ op: 'history', room: 'm.r' }));
    t.same(
      replies.map((r) => r.status),
      ['ok', 'ok', 'error'],
      'the burst, then a refusal',
    );
    t.match(replies[2]?.error, { code: 'rate_limited', message: /history rate/ });
    const other = await client(t, node, { sub: 'other' });
    t.equal((await other.request({ op: 'history', room: 'm.r' })).status, 'ok', 'per connection');
    t.equal(
      (await c.request({ op: 'publish', room: 'm.r', data: 2 })).status,
      'ok',
      'publishes apart',
    );
    await sleep(1100);
    t.equal(
      (await c.request({ op: 'history', room: 'm.r' })).status,
      'ok',
      'refilled after a second',
    );
  },
);
