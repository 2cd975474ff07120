import t from 'tap';
import {
  ArqonClientError,
  type Presence,
  type PresenceMeta,
  type RoomMessage,
  type StateChange,
} from '../../src/client/index.js';
import { startTestNode } from '../helpers/test-node.js';
import { newClient, nextEvent, until } from './client-fixtures.js';

t.test('client - connect, join, publish and receive on a real node', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const states: StateChange[] = [];
  const alice = newClient({
    url: server.url,
    token: await server.token({ sub: 'alice' }),
    onStateChange: (change) => states.push(change),
  });
  const bob = newClient({ url: server.url, token: await server.token({ sub: 'bob' }) });
  t.teardown(() => {
    alice.close();
    bob.close();
  });
  t.equal(alice.state, 'idle');
  const welcome = await alice.connect();
  t.match(welcome, { node: server.node.nodeId, tenant: 't1', sub: 'alice', heartbeatMs: Number });
  t.equal(alice.welcome, welcome);
  t.same(await alice.connect(), welcome, 'connect() again gives the same welcome');
  t.same(
    states.map((s) => s.state),
    ['connecting', 'connected'],
  );
  await bob.connect();

  t.match(await alice.join('lobby'), { epoch: String, offset: 0 });
  t.notOk('recovered' in (await bob.join('lobby')), 'recovered only when resuming');
  t.ok(alice.room('lobby').joined);
  t.equal(alice.room('lobby'), alice.room('lobby'), 'one handle per room');

  const inRoom = nextEvent<RoomMessage>((l) => alice.room('lobby').on('message', l));
  const anywhere = nextEvent<RoomMessage>((l) => alice.on('message', l));
  const echoed = nextEvent<RoomMessage>((l) => bob.room('lobby').on('message', l));
  const sent = await bob.publish('lobby', { n: 1 }, { headers: { 'x-twist-id': 'tw-1' } });
  t.match(sent, { id: String, offset: 1 });
  const got = await inRoom;
  t.match(got, {
    room: 'lobby',
    id: sent.id,
    offset: 1,
    from: 'bob',
    data: { n: 1 },
    headers: { 'x-twist-id': 'tw-1' },
  });
  t.equal(await anywhere, got);
  t.match(await echoed, { id: sent.id }, 'echo to the sender by default');

  // echo:false: bob does not get his own message, alice does.
  let bobGot = 0;
  bob.room('lobby').on('message', () => bobGot++);
  const second = nextEvent<RoomMessage>((l) => alice.room('lobby').on('message', l));
  t.match(await bob.room('lobby').publish('quiet', { echo: false }), { offset: 2 });
  t.match(await second, { data: 'quiet', offset: 2 });
  await bob.ping(); // replies are ordered after deliveries to bob's own socket
  t.equal(bobGot, 0);

  t.match(await alice.ping(), { ts: Number });
  await alice.refresh(await server.token({ sub: 'alice' }));
  await alice.leave('lobby');
  t.notOk(alice.room('lobby').joined);
});

t.test('client - error replies reject with the wire code', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const client = newClient({
    url: server.url,
    token: await server.token({ sub: 'carol', rooms: ['chat.*'] }),
  });
  t.teardown(() => client.close());
  await client.connect();
  await t.rejects(client.join('secret'), { name: 'ArqonClientError', code: 'forbidden' });
  await t.rejects(client.publish('secret', 1), { code: 'forbidden' });
  await t.rejects(client.leave('chat.never-joined'), { code: 'not_joined' });
  const refused = await client.join('secret').catch((err: unknown) => err);
  t.ok(refused instanceof ArqonClientError && refused.fromServer);
  t.notOk(client.room('secret').joined);
  await t.resolves(client.join('chat.one'), 'allowed by the pattern');
  await t.rejects(client.refresh(await server.token({ sub: 'someone-else', rooms: ['chat.*'] })), {
    code: 'forbidden',
  });
});

t.test('client - bad arguments are refused before anything is sent', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const client = newClient({ url: server.url, token: await server.token() });
  t.teardown(() => client.close());
  await client.connect();
  await t.rejects(client.join(''), { code: 'ARQ_CLIENT_INVALID_ARGUMENT', message: /room/ });
  await t.rejects(client.join('r', { since: { epoch: '', offset: 1 } }), {
    code: 'ARQ_CLIENT_INVALID_ARGUMENT',
    message: /options\.since\.epoch/,
  });
  await t.rejects(client.join('r', { since: { ts: -1 } }), {
    code: 'ARQ_CLIENT_INVALID_ARGUMENT',
    message: /options\.since\.ts must be a non-negative integer/,
  });
  await t.rejects(client.publish('r', undefined), { code: 'ARQ_CLIENT_INVALID_ARGUMENT' });
  await t.rejects(client.publish('r', 1, { headers: { a: 1 as never } }), {
    message: /options\.headers\.a/,
  });
  await t.rejects(client.publish('r', 10n), {
    code: 'ARQ_CLIENT_INVALID_ARGUMENT',
    message: /JSON/,
  });
  t.match(await client.ping(), { ts: Number }, 'the connection is still fine');
});

t.test('client - requests without a connection fail at once', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const client = newClient({ url: server.url, token: await server.token() });
  await t.rejects(client.publish('lobby', 1), {
    code: 'ARQ_CLIENT_NOT_CONNECTED',
    message: 'publish: not connected (idle)',
  });
  await t.rejects(client.ping(), { code: 'ARQ_CLIENT_NOT_CONNECTED' });
  await client.connect();
  await client.join('lobby');
  const inFlight = client.ping();
  client.close();
  await t.rejects(inFlight, { code: 'ARQ_CLIENT_CLOSED' });
  t.equal(client.state, 'closed');
  t.notOk(client.room('lobby').joined);
  await t.rejects(client.ping(), { code: 'ARQ_CLIENT_CLOSED' });
  await t.rejects(client.connect(), { code: 'ARQ_CLIENT_CLOSED' });
});

t.test('client - connect fails when no URL gives a welcome, tries the next URL', async (t) => {
  const server = await startTestNode();
  const other = await startTestNode();
  t.teardown(() => server.close());
  await other.close(); // a port where nothing listens any more
  const badToken = newClient({ url: server.url, token: 'not-a-jwt' });
  await t.rejects(badToken.connect(), { code: 'ARQ_CLIENT_CONNECT_FAILED' });
  t.equal(badToken.state, 'idle', 'may try again');

  const token = await server.token();
  const failover = newClient({ url: [other.url, server.url], token });
  t.teardown(() => failover.close());
  t.match(await failover.connect(), { node: server.node.nodeId });
  t.equal(failover.url, server.url);

  let calls = 0;
  const failing = newClient({
    url: server.url,
    token: () => {
      calls++;
      throw new Error('vault down');
    },
  });
  await t.rejects(failing.connect(), {
    code: 'ARQ_CLIENT_TOKEN_FAILED',
    cause: { message: 'vault down' },
  });
  t.equal(calls, 1);
});

t.test('client - presence across two clients, several connections of one sub', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const alice = newClient({ url: server.url, token: await server.token({ sub: 'alice' }) });
  const bob = newClient({ url: server.url, token: await server.token({ sub: 'bob' }) });
  const bob2 = newClient({ url: server.url, token: await server.token({ sub: 'bob' }) });
  t.teardown(() => {
    alice.close();
    bob.close();
    bob2.close();
  });
  const aliceWelcome = await alice.connect();
  const bobWelcome = await bob.connect();
  const bob2Welcome = await bob2.connect();
  const lobby = alice.room('lobby');
  const joins: [string, number, PresenceMeta[]][] = [];
  const leaves: [string, number, PresenceMeta[]][] = [];
  lobby.presence.onJoin((sub, current, joined) => joins.push([sub, current.length, [...joined]]));
  lobby.presence.onLeave((sub, current, left) => leaves.push([sub, current.length, [...left]]));

  await lobby.join({ meta: { status: 'here' } });
  await until(() => lobby.presence.size === 1, 'alice to see herself');
  t.match(lobby.presence.get('alice'), [
    { conn: aliceWelcome.conn, node: server.node.nodeId, online_at: Number, status: 'here' },
  ]);

  await bob.join('lobby', { meta: { device: 'phone' } });
  await bob2.join('lobby', { meta: { device: 'laptop' } });
  await until(() => lobby.presence.get('bob').length === 2, 'both bob connections');
  t.same(
    lobby.presence.list((sub, metas) => [sub, metas.map((m) => m.conn)]),
    [
      ['alice', [aliceWelcome.conn]],
      ['bob', [bobWelcome.conn, bob2Welcome.conn]],
    ],
  );
  // Two joins within presence-coalesce-ms come as one diff (one callback with both metas).
  const bobJoins = joins.filter(([sub]) => sub === 'bob');
  t.equal(bobJoins[0]?.[1], 0, 'the first callback for bob saw no bob before');
  t.match(
    bobJoins.flatMap(([, , metas]) => metas),
    [
      { conn: bobWelcome.conn, device: 'phone' },
      { conn: bob2Welcome.conn, device: 'laptop' },
    ],
  );
  const seenByBob = bob.room('lobby').presence;
  await until(() => seenByBob.size === 2 && seenByBob.get('bob').length === 2, 'bob to see all');

  // One of bob's connections goes: bob stays, with the other.
  bob.close();
  await until(() => lobby.presence.get('bob').length === 1, 'bob leaving on one connection');
  t.match(leaves, [['bob', 1, [{ conn: bobWelcome.conn }]]]);
  t.match(lobby.presence.get('bob'), [{ conn: bob2Welcome.conn, device: 'laptop' }]);

  // A meta update (join again) replaces the meta of that connection only.
  const updated = nextEvent<Presence>(
    (l) => lobby.on('presence', l),
    (p) => p.get('bob')[0]?.device === 'tablet',
  );
  await bob2.join('lobby', { meta: { device: 'tablet' } });
  await updated;
  t.equal(lobby.presence.get('bob').length, 1);

  await bob2.leave('lobby');
  await until(() => lobby.presence.size === 1, 'bob gone');
  t.match(leaves.at(-1), ['bob', 0, [{ conn: bob2Welcome.conn }]]);
  t.equal(bob2.room('lobby').presence.size, 0, 'leaving clears the leaver view');
});

t.test('client - an over-size publish is refused with too_large, the socket stays', async (t) => {
  const server = await startTestNode({ 'max-frame-bytes': '1024' });
  t.teardown(() => server.close());
  const client = newClient({ url: server.url, token: await server.token() });
  t.teardown(() => client.close());
  await client.connect();
  await t.rejects(client.publish('lobby', 'x'.repeat(2000)), { code: 'too_large' });
  t.match(await client.ping(), { ts: Number });
  t.equal(client.state, 'connected');
});
