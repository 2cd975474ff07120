import t from 'tap';
import { startTestNode } from '../helpers/test-node.js';
import { TestClient } from '../helpers/ws-client.js';

t.test('edge - welcome, join, publish and fan-out through real sockets', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const a = await TestClient.connect(server.url, await server.token({ sub: 'alice' }));
  const b = await TestClient.connect(server.url, await server.token({ sub: 'bob' }));
  t.teardown(() => {
    a.client.close();
    b.client.close();
  });
  t.match(a.welcome, {
    op: 'welcome',
    node: server.node.nodeId,
    tenant: 't1',
    sub: 'alice',
    heartbeat_ms: Number,
  });
  t.match(await a.client.request({ op: 'join', room: 'lobby' }), {
    op: 'reply',
    status: 'ok',
    body: { offset: 0 },
  });
  t.match(await a.client.next(), {
    op: 'presence_state',
    room: 'lobby',
    presences: { alice: { metas: [{ conn: a.welcome.conn }] } },
  });
  t.match(await b.client.request({ op: 'join', room: 'lobby', meta: { status: 'away' } }), {
    status: 'ok',
  });
  const state = await b.client.next();
  t.same(Object.keys(state.presences as object).sort(), ['alice', 'bob']);
  t.match(await a.client.next(), {
    op: 'presence_diff',
    joins: { bob: { metas: [{ status: 'away' }] } },
    leaves: {},
  });
  const reply = await b.client.request({ op: 'publish', room: 'lobby', data: { n: 1 } });
  t.match(reply, { status: 'ok', body: { offset: 1 } });
  const atA = await a.client.nextWhere((f) => f.op === 'message');
  t.match(atA, {
    room: 'lobby',
    from: 'bob',
    offset: 1,
    data: { n: 1 },
    id: (reply.body as { id: string }).id,
  });
  t.match(
    await b.client.nextWhere((f) => f.op === 'message'),
    { data: { n: 1 } },
    'echo to the sender',
  );
  b.client.close();
  t.match(await a.client.next(), {
    op: 'presence_diff',
    leaves: { bob: { metas: [{ conn: b.welcome.conn }] } },
  });
});
