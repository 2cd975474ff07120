import t from 'tap';
import { http } from '../helpers/http.js';
import { claims, sign } from '../helpers/jwt-keys.js';
import { matchList } from '../helpers/match-list.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

const isMessage = (f: Frame) => f.op === 'message';

/** Publishes `data` over HTTP with a server token of `tenant` and checks it was accepted. */
async function httpPublish(server: TestNode, tenant: string, room: string, data: unknown) {
  const token = await server.token({ tenant, sub: 'backend', caps: ['server'] });
  const answer = await http(`${server.http}/v1/publish`, { token, body: { room, data } });
  if (answer.status !== 200)
    throw new Error(`HTTP publish answered ${answer.status} ${answer.text}`);
  return answer.json;
}

t.test('edge tenants - two tenants share no room, message or presence', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const b = await TestClient.connect(server.url, await server.token({ tenant: 't2', sub: 'bob' }));
  const a = await TestClient.connect(
    server.url,
    await server.token({ tenant: 't1', sub: 'alice' }),
  );
  t.teardown(() => {
    a.client.close();
    b.client.close();
  });
  t.match(await b.client.request({ op: 'join', room: 'lobby' }), { status: 'ok' });
  t.same(Object.keys((await b.client.next()).presences as object), ['bob']);
  t.match(await a.client.request({ op: 'join', room: 'lobby' }), { status: 'ok' });
  t.same(Object.keys((await a.client.next()).presences as object), ['alice'], 'A sees only A');
  t.same(await b.client.sync(), [], 'no presence_diff of A reaches B');

  t.match(await a.client.request({ op: 'publish', room: 'lobby', data: 'from-a' }), {
    status: 'ok',
  });
  t.match(await a.client.nextWhere(isMessage), { data: 'from-a', from: 'alice' });
  await httpPublish(server, 't1', 'lobby', 'http-a');
  t.match(await a.client.nextWhere(isMessage), { data: 'http-a', from: 'backend' });
  // A's messages were fanned out before B's own publish was even sent.
  t.match(await b.client.request({ op: 'publish', room: 'lobby', data: 'from-b' }), {
    status: 'ok',
  });
  const atB = await b.client.collectUntil(isMessage);
  t.match(atB.match, { data: 'from-b', from: 'bob' });
  t.same(atB.before, [], 'nothing of tenant A reached B');
  t.same(await a.client.sync(), [], 'nothing of tenant B reached A');

  const token = await server.token({ tenant: 't2', sub: 'backend', caps: ['server'] });
  const presence = await http(`${server.http}/v1/rooms/lobby/presence`, { token });
  t.equal(presence.status, 200);
  t.same(Object.keys((presence.json as { presences: object }).presences), ['bob']);
});

t.test(
  'edge tenants - room patterns decide joins and publishes; forbidden delivers nothing',
  async (t) => {
    const server = await startTestNode();
    t.teardown(() => server.close());
    const member = await TestClient.connect(server.url, await server.token({ sub: 'member' }));
    const limited = await TestClient.connect(
      server.url,
      await server.token({ sub: 'limited', rooms: ['chat.*', 'game.>'] }),
    );
    // A token without a `rooms` claim (signToken omits it): no room at all.
    const secret = new TextEncoder().encode(server.secret);
    const none = await TestClient.connect(
      server.url,
      await sign(secret, 'HS256', claims({ sub: 'none', rooms: undefined })),
    );
    const readOnly = await TestClient.connect(
      server.url,
      await server.token({ sub: 'reader', caps: ['-publish'] }),
    );
    t.teardown(() => {
      for (const c of [member, limited, none, readOnly]) c.client.close();
    });
    for (const room of ['chat.one', 'game.x', 'game.x.y', 'lobby']) {
      t.match(
        await member.client.request({ op: 'join', room }),
        { status: 'ok' },
        `member in ${room}`,
      );
    }
    const expect = async (c: TestClient, frame: Record<string, unknown>, code: string | null) => {
      const reply = await c.request(frame);
      const what = `${frame.op} ${String(frame.room)}`;
      if (code === null) t.match(reply, { status: 'ok' }, `${what} ok`);
      else t.match(reply, { status: 'error', error: { code } }, `${what} ${code}`);
    };
    const l = limited.client;
    await expect(l, { op: 'join', room: 'chat.one' }, null);
    await expect(l, { op: 'join', room: 'game.x.y' }, null);
    await expect(l, { op: 'join', room: 'chat' }, 'forbidden');
    await expect(l, { op: 'join', room: 'chat.one.two' }, 'forbidden');
    await expect(l, { op: 'join', room: 'game' }, 'forbidden');
    await expect(l, { op: 'join', room: 'lobby' }, 'forbidden');
    await expect(l, { op: 'publish', room: 'lobby', data: 'no' }, 'forbidden');
    await expect(l, { op: 'publish', room: 'game.x', data: 'yes' }, null);
    await expect(none.client, { op: 'join', room: 'lobby' }, 'forbidden');
    await expect(none.client, { op: 'join', room: 'chat.one' }, 'forbidden');
    await expect(none.client, { op: 'publish', room: 'lobby', data: 'no' }, 'forbidden');
    await expect(readOnly.client, { op: 'join', room: 'lobby' }, null);
    await expect(readOnly.client, { op: 'publish', room: 'lobby', data: 'no' }, 'forbidden');

    // One shard orders every room: whatever was delivered before the sentinel arrives with it.
    await httpPublish(server, 't1', 'lobby', 'sentinel');
    const atMember = await member.client.collectUntil((f) => isMessage(f) && f.data === 'sentinel');
    const messages = atMember.before.filter(isMessage);
    matchList(
      t,
      messages,
      [{ room: 'game.x', data: 'yes', from: 'limited' }],
      'only the allowed one',
    );
  },
);
