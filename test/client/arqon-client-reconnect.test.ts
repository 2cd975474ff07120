import t from 'tap';
import { WebSocketServer } from 'ws';
import type {
  ArqonClientError,
  JoinResult,
  RoomMessage,
  StateChange,
} from '../../src/client/index.js';
import { newSecret, startTestNode, tokenFor } from '../helpers/test-node.js';
import { newClient, nextEvent, until } from './client-fixtures.js';
import { startForwarder } from './tcp-forwarder.js';

/** Quick retries: these tests wait for reconnects, they do not measure them. */
const FAST = { initialDelayMs: 20, maxDelayMs: 200, factor: 2, jitter: 1 };

t.test('reconnect - after a drain (4009), rooms are re-joined at the same URL', async (t) => {
  const secret = newSecret();
  const first = await startTestNode({ 'jwt-secret': secret });
  const forwarder = await startForwarder(first.port);
  t.teardown(() => forwarder.close());
  let tokenCalls = 0;
  const alice = newClient({
    url: `ws://127.0.0.1:${forwarder.port}/ws`,
    token: () => {
      tokenCalls++;
      return tokenFor(secret, { sub: 'alice' });
    },
    reconnect: FAST,
  });
  t.teardown(() => alice.close());
  t.match(await alice.connect(), { node: first.node.nodeId });
  await alice.join('lobby', { meta: { mood: 'calm' } });
  t.equal(tokenCalls, 1);
  const reconnecting = nextEvent<StateChange>(
    (l) => alice.on('state', l),
    (s) => s.state === 'reconnecting',
  );
  const rejoined = nextEvent<JoinResult>((l) => alice.room('lobby').on('rejoin', l));

  // The node drains; a new one takes its place behind the same address.
  const second = await startTestNode({ 'jwt-secret': secret });
  t.teardown(() => second.close());
  await first.close();
  t.match(await reconnecting, { previous: 'connected', code: 4009 });
  t.ok(alice.room('lobby').joined, 'still joined while reconnecting');
  await t.rejects(alice.ping(), {
    code: 'ARQ_CLIENT_NOT_CONNECTED',
    message:
      'ping: not connected (reconnecting; the last connection closed with 4009: node draining)',
  });
  forwarder.retarget(second.port);

  // The new node has a new room: its epoch differs, so nothing could be recovered.
  t.match(await rejoined, { epoch: String, offset: 0, recovered: false });
  t.equal(alice.state, 'connected');
  t.equal(alice.welcome?.node, second.node.nodeId);
  t.ok(tokenCalls >= 2, 'the token function is called again for the reconnect');

  const bob = newClient({ url: second.url, token: await second.token({ sub: 'bob' }) });
  t.teardown(() => bob.close());
  await bob.connect();
  await bob.join('lobby');
  const seenByBob = bob.room('lobby').presence;
  await until(() => seenByBob.get('alice').length === 1, 'alice in presence on the new node');
  t.match(seenByBob.get('alice'), [{ conn: alice.welcome?.conn, mood: 'calm' }], 'meta re-sent');
  const got = nextEvent<RoomMessage>((l) => alice.room('lobby').on('message', l));
  await bob.publish('lobby', 'after the move');
  t.match(await got, { data: 'after the move', from: 'bob' });
});

t.test('reconnect - a URL list fails over to the next node', async (t) => {
  const secret = newSecret();
  const a = await startTestNode({ 'jwt-secret': secret });
  const b = await startTestNode({ 'jwt-secret': secret });
  t.teardown(() => b.close());
  const client = newClient({
    url: [a.url, b.url],
    token: () => tokenFor(secret, { sub: 'alice' }),
    reconnect: FAST,
  });
  t.teardown(() => client.close());
  t.match(await client.connect(), { node: a.node.nodeId });
  await client.join('news');
  const rejoined = nextEvent<JoinResult>((l) => client.room('news').on('rejoin', l));
  await a.close();
  await rejoined;
  t.equal(client.url, b.url);
  t.equal(client.welcome?.node, b.node.nodeId);
  const got = nextEvent<RoomMessage>((l) => client.on('message', l));
  t.match(await client.publish('news', { n: 1 }), { offset: 1 });
  t.match(await got, { room: 'news', data: { n: 1 } });
});

t.test('reconnect - an expired token with a token function resumes the stream', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  let tokenCalls = 0;
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const alice = newClient({
    url: server.url,
    token: async () => {
      tokenCalls++;
      // The first token expires soon (4001); the reconnect waits until bob has published more.
      if (tokenCalls === 1) return server.token({ sub: 'alice', ttl: '3s' });
      await released;
      return server.token({ sub: 'alice' });
    },
    reconnect: FAST,
  });
  const bob = newClient({ url: server.url, token: await server.token({ sub: 'bob' }) });
  t.teardown(() => {
    alice.close();
    bob.close();
  });
  const reconnecting = nextEvent<StateChange>(
    (l) => alice.on('state', l),
    (s) => s.state === 'reconnecting',
  );
  await alice.connect();
  await bob.connect();
  await alice.join('lobby');
  await bob.join('lobby');
  const seen: RoomMessage[] = [];
  alice.room('lobby').on('message', (message) => seen.push(message));
  for (const n of [1, 2, 3]) await bob.publish('lobby', n);
  await until(() => seen.length === 3, 'the first three messages');

  t.match(await reconnecting, { code: 4001 });
  for (const n of [4, 5, 6]) await bob.publish('lobby', n, { headers: { 'x-twist-id': `m${n}` } });
  const rejoined = nextEvent<JoinResult>((l) => alice.room('lobby').on('rejoin', l));
  release();
  t.match(await rejoined, { offset: 6, recovered: true });
  await until(() => seen.length === 6, 'the missed messages');
  await bob.publish('lobby', 7);
  await until(() => seen.length === 7, 'a live message after the resume');
  t.same(
    seen.map((m) => [m.offset, m.data]),
    [1, 2, 3, 4, 5, 6, 7].map((n) => [n, n]),
    'every message once, in order',
  );
  t.equal(seen[4]?.headers['x-twist-id'], 'm5', 'replayed with their headers');
  t.equal(tokenCalls, 2);
});

t.test('reconnect - an expired fixed token ends the client (no retry)', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const client = newClient({
    url: server.url,
    token: await server.token({ sub: 'alice', ttl: '3s' }),
    reconnect: FAST,
  });
  t.teardown(() => client.close());
  const states: string[] = [];
  client.on('state', (change) => states.push(change.state));
  const closed = nextEvent<StateChange>(
    (l) => client.on('state', l),
    (s) => s.state === 'closed',
  );
  await client.connect();
  await client.join('lobby');
  t.match(await closed, { previous: 'connected', code: 4001 });
  t.same(states, ['connecting', 'connected', 'closed']);
  t.notOk(states.includes('reconnecting'));
  t.notOk(client.room('lobby').joined);
  await t.rejects(client.ping(), { code: 'ARQ_CLIENT_CLOSED' });
});

t.test(
  'reconnect - error frames are reported; a silent connection is dropped by the heartbeat',
  async (t) => {
    // A real node always answers pings; a half-open network path does not. This stand-in for such a
    // path greets like a node (welcome with a short heartbeat) and then never replies.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    t.teardown(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of wss.clients) socket.terminate();
          wss.close(() => resolve());
        }),
    );
    let connections = 0;
    wss.on('connection', (socket) => {
      connections++;
      socket.send(
        JSON.stringify({
          op: 'welcome',
          node: 'silent',
          conn: `c${connections}`,
          tenant: 't1',
          sub: 'alice',
          heartbeat_ms: 100,
        }),
      );
      // An error not tied to a request, as a node sends for a frame it could not attribute.
      socket.send(JSON.stringify({ op: 'error', error: { code: 'overloaded', message: 'busy' } }));
    });
    const { port } = wss.address() as { port: number };
    const client = newClient({
      url: `ws://127.0.0.1:${port}/ws`,
      token: 'any',
      requestTimeoutMs: 300,
      reconnect: FAST,
    });
    t.teardown(() => client.close());
    const dropped = nextEvent<StateChange>(
      (l) => client.on('state', l),
      (s) => s.state === 'reconnecting',
    );
    const reported = nextEvent<ArqonClientError>((l) => client.on('error', l));
    t.match(await client.connect(), { conn: 'c1' });
    t.match(await reported, { code: 'overloaded', message: 'busy', fromServer: true });
    t.match(await dropped, { code: 1006, reason: 'heartbeat timeout' });
    await until(() => client.welcome?.conn === 'c2', 'a new connection');
    t.equal(client.state, 'connected');
  },
);

t.test(
  'reconnect - a dropped network reconnects; a re-join the new token forbids is reported',
  async (t) => {
    const server = await startTestNode();
    t.teardown(() => server.close());
    const forwarder = await startForwarder(server.port);
    t.teardown(() => forwarder.close());
    let tokenCalls = 0;
    const states: string[] = [];
    const client = newClient({
      url: `ws://127.0.0.1:${forwarder.port}/ws`,
      // The second token no longer allows `secret.*`.
      token: () => server.token({ sub: 'alice', rooms: ++tokenCalls === 1 ? ['>'] : ['open'] }),
      reconnect: FAST,
      onStateChange: (change) => states.push(change.state),
    });
    t.teardown(() => client.close());
    await client.connect();
    await client.join('open');
    await client.join('secret.plans');
    const refused = nextEvent<ArqonClientError>((l) => client.room('secret.plans').on('error', l));
    const reported = nextEvent<ArqonClientError>((l) => client.on('error', l));
    const rejoined = nextEvent<JoinResult>((l) => client.room('open').on('rejoin', l));
    const firstConn = client.welcome?.conn;

    forwarder.dropConnections();
    t.match(await refused, { code: 'forbidden' });
    t.match(await reported, { code: 'forbidden' });
    t.match(await rejoined, { recovered: true });
    t.not(client.welcome?.conn, firstConn, 'a new connection');
    t.same(states, ['connecting', 'connected', 'reconnecting', 'connected']);
    t.ok(client.room('open').joined);
    t.notOk(client.room('secret.plans').joined, 'no longer re-joined');
    const got = nextEvent<RoomMessage>((l) => client.room('open').on('message', l));
    await client.publish('open', 'still here');
    t.match(await got, { data: 'still here' });
  },
);
