import t from 'tap';
import { http } from '../helpers/http.js';
import { startTestNode } from '../helpers/test-node.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

const isDiff = (f: Frame) => f.op === 'presence_diff';
const isPresence = (f: Frame) => f.op === 'presence_state' || f.op === 'presence_diff';

t.test('edge presence - state on join, diffs on join, leave and disconnect, by sub', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const node = server.node.nodeId;
  const a1 = await TestClient.connect(server.url, await server.token({ sub: 'alice' }));
  const a2 = await TestClient.connect(server.url, await server.token({ sub: 'alice' }));
  const b = await TestClient.connect(server.url, await server.token({ sub: 'bob' }));
  t.teardown(() => {
    for (const c of [a1, a2, b]) c.client.close();
  });
  const meta = (conn: unknown, extra: object = {}) => ({
    conn,
    node,
    online_at: Number,
    ...extra,
  });

  t.match(await a1.client.request({ op: 'join', room: 'p', meta: { device: 'phone' } }), {
    status: 'ok',
  });
  t.match(await a1.client.next(), {
    op: 'presence_state',
    room: 'p',
    presences: { alice: { metas: [meta(a1.welcome.conn, { device: 'phone' })] } },
  });

  await b.client.request({ op: 'join', room: 'p' });
  const bState = await b.client.next();
  t.same(Object.keys(bState.presences as object).sort(), ['alice', 'bob']);
  t.match(await a1.client.next(), {
    op: 'presence_diff',
    room: 'p',
    joins: { bob: { metas: [meta(b.welcome.conn)] } },
    leaves: {},
  });

  await a2.client.request({ op: 'join', room: 'p', meta: { device: 'laptop' } });
  const a2State = (await a2.client.next()).presences as Record<string, { metas: unknown[] }>;
  t.equal(a2State.alice?.metas.length, 2, 'one meta per connection of the same sub');
  t.match(a2State.alice?.metas, [
    meta(a1.welcome.conn, { device: 'phone' }),
    meta(a2.welcome.conn, { device: 'laptop' }),
  ]);
  for (const c of [a1, b]) {
    const diff = await c.client.nextWhere(isDiff);
    t.same(Object.keys(diff.joins as object), ['alice']);
    t.match(diff, { joins: { alice: { metas: [meta(a2.welcome.conn, { device: 'laptop' })] } } });
  }

  const token = await server.token({ sub: 'backend', caps: ['server'] });
  const listed = await http(`${server.http}/v1/rooms/p/presence`, { token });
  t.equal(listed.status, 200);
  t.equal((listed.json as { presences: { alice: { metas: [] } } }).presences.alice.metas.length, 2);
  t.match(listed.json, {
    room: 'p',
    presences: { alice: { metas: [{}, {}] }, bob: { metas: [meta(b.welcome.conn)] } },
  });

  t.match(await a2.client.request({ op: 'leave', room: 'p' }), { status: 'ok' });
  for (const c of [a1, b]) {
    t.match(await c.client.nextWhere(isDiff), {
      joins: {},
      leaves: { alice: { metas: [meta(a2.welcome.conn)] } },
    });
  }
  t.same(await a2.client.sync(), [], 'no presence after leaving');

  b.client.close();
  t.match(await a1.client.nextWhere(isDiff), {
    joins: {},
    leaves: { bob: { metas: [meta(b.welcome.conn)] } },
  });
  const after = await http(`${server.http}/v1/rooms/p/presence`, { token });
  t.same(Object.keys((after.json as { presences: object }).presences), ['alice']);
});

t.test('edge presence - a token without the presence cap is not shown and sees none', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const seen = await TestClient.connect(server.url, await server.token({ sub: 'seen' }));
  const ghost = await TestClient.connect(
    server.url,
    await server.token({ sub: 'ghost', caps: ['-presence'] }),
  );
  t.teardown(() => {
    seen.client.close();
    ghost.client.close();
  });
  await seen.client.request({ op: 'join', room: 'p' });
  t.match(await seen.client.next(), { op: 'presence_state' });
  const joined = await ghost.client.exchange({ op: 'join', room: 'p' });
  t.match(joined.reply, { status: 'ok' });
  t.same(await ghost.client.sync(), [], 'no presence_state for the ghost');
  t.same(await seen.client.sync(), [], 'no diff for the ghost joining');

  const late = await TestClient.connect(server.url, await server.token({ sub: 'late' }));
  t.teardown(() => late.client.close());
  await late.client.request({ op: 'join', room: 'p' });
  t.same(Object.keys((await late.client.next()).presences as object).sort(), ['late', 'seen']);
  t.match(await seen.client.nextWhere(isDiff), { joins: { late: {} } });

  t.match(await ghost.client.request({ op: 'publish', room: 'p', data: 'boo' }), { status: 'ok' });
  t.match(await seen.client.nextWhere((f) => f.op === 'message'), { from: 'ghost', data: 'boo' });
  const atGhost = await ghost.client.collectUntil((f) => f.op === 'message');
  t.same(atGhost.before.filter(isPresence), [], 'the ghost gets no presence frames');

  ghost.client.close();
  await ghost.client.closed;
  late.client.close();
  const leftDiff = await seen.client.nextWhere(isDiff);
  t.same(Object.keys(leftDiff.leaves as object), ['late'], 'only the shown member leaves');
});
