import type { NatsConnection } from '@nats-io/transport-node';
import t, { type Test } from 'tap';
import {
  formatIncarnation,
  type PresenceChanges,
  type PresenceDelta,
  PresenceState,
} from '../../actors/index.js';
import {
  CLUSTER_HEARTBEAT_SUBJECT,
  encodeClusterMessage,
  encodePresenceDelta,
  Membership,
  PRESENCE_DELTA_SUBJECT,
  PresenceGossip,
  type PresenceGossipOptions,
  presenceStateSubject,
} from '../../src/cluster/index.js';
import { type NatsServer, startNatsServer } from '../helpers/nats-server.js';
import { connectTo, eventually } from './fixtures/cluster-fixtures.js';

const TOPIC = 'acme|lobby';
const TIMING = { heartbeatMs: 100, downAfterMs: 500 } as const;
const BROADCAST_MS = 50;

interface Node {
  readonly nc: NatsConnection;
  readonly membership: Membership;
  readonly state: PresenceState;
  readonly gossip: PresenceGossip;
  readonly changes: PresenceChanges[];
  /** Stops without a word to peers, as a crashed node would. */
  crash(): Promise<void>;
}

async function startNode(
  t: Test,
  url: string,
  node: string,
  options: { incarnation?: string; purgeAfterMs?: number } = {},
): Promise<Node> {
  const nc = await connectTo(url);
  const membership = new Membership({
    connection: nc,
    node,
    ...TIMING,
    ...(options.incarnation === undefined ? {} : { incarnation: options.incarnation }),
  });
  const state = new PresenceState({ replica: membership.self });
  const changes: PresenceChanges[] = [];
  const gossip = new PresenceGossip({
    connection: nc,
    membership,
    state,
    onChanges: (c) => void changes.push(c),
    broadcastMs: BROADCAST_MS,
    purgeAfterMs: options.purgeAfterMs ?? 60_000,
    requestTimeoutMs: 1_000,
  });
  let crashed = false;
  const crash = async (): Promise<void> => {
    if (crashed) return;
    crashed = true;
    await gossip.close();
    await membership.close();
    await nc.close();
  };
  t.teardown(crash);
  await gossip.start();
  await membership.start();
  return { nc, membership, state, gossip, changes, crash };
}

/** `node/conn` of every visible entry of `topic`, sorted. */
function seen(state: PresenceState, topic = TOPIC): string[] {
  return state
    .entries(topic)
    .map((e) => `${e.node}/${e.conn}`)
    .sort();
}

function leavesOf(changes: readonly PresenceChanges[], node: string): string[] {
  return changes
    .flatMap((c) => [...c.values()].flatMap((tc) => tc.leaves))
    .filter((e) => e.node === node)
    .map((e) => `${e.topic}:${e.conn}`)
    .sort();
}

function joinsOf(changes: readonly PresenceChanges[]): { node: string }[] {
  return changes.flatMap((c) => [...c.values()].flatMap((tc) => tc.joins));
}

async function server(t: Test): Promise<NatsServer> {
  const s = await startNatsServer();
  t.teardown(() => s.stop());
  return s;
}

async function startThree(t: Test, url: string): Promise<Node[]> {
  const nodes = await Promise.all(['n1', 'n2', 'n3'].map((n) => startNode(t, url, n)));
  await eventually(
    () => nodes.every((n) => n.membership.nodes().join() === 'n1,n2,n3'),
    'the three see each other',
  );
  return nodes;
}

t.test('presence gossip - three replicas converge on joins and leaves', async (t) => {
  const s = await server(t);
  const [a, b, c] = await startThree(t, s.url);
  const joinedAt = Date.now();
  a!.state.join(TOPIC, 'alice', 'c1', { status: 'here' }, joinedAt);
  b!.state.join(TOPIC, 'bob', 'c2', {}, joinedAt);
  const everyone = ['n1/c1', 'n2/c2'];
  await eventually(
    () => [a, b, c].every((n) => seen(n!.state).join() === everyone.join()),
    'all see both',
  );
  t.comment(
    `converged ${Date.now() - joinedAt} ms after the joins (broadcast every ${BROADCAST_MS} ms)`,
  );
  t.same(
    c!.state.list(TOPIC).alice?.metas.map((m) => m.status),
    ['here'],
    'metas travel',
  );
  a!.state.leave(TOPIC, 'c1');
  await eventually(
    () => [a, b, c].every((n) => seen(n!.state).join() === 'n2/c2'),
    'the leave spread',
  );
  t.same(leavesOf(c!.changes, 'n1'), [`${TOPIC}:c1`], 'the leave reached onChanges of n3');
  t.notOk(
    joinsOf(a!.changes).some((e) => e.node === 'n1'),
    'n1 never merged its own deltas back into itself',
  );
  t.ok(a!.gossip.stats().deltasSent >= 2, 'n1 broadcast its join and its leave');
  t.equal(a!.gossip.stats().malformed, 0);
});

t.test('presence gossip - lost, duplicated and reordered deltas are repaired', async (t) => {
  const s = await server(t);
  const a = await startNode(t, s.url, 'n1');
  const b = await startNode(t, s.url, 'n2');
  // Replica x is written by the test, which plays a lossy network: it chooses which of x's deltas
  // reach NATS. Its membership and its full-state responder are the real ones a node has.
  const xnc = await connectTo(s.url);
  t.teardown(() => xnc.close());
  const xm = new Membership({ connection: xnc, node: 'x', ...TIMING });
  t.teardown(() => xm.close());
  const x = new PresenceState({ replica: xm.self });
  let advertised = 0;
  xm.setPayload('presence', () => ({ clock: advertised }));
  xnc.subscribe(presenceStateSubject('x'), {
    callback: (_err, msg) => void msg.respond(encodePresenceDelta(x.extractState())),
  });
  await xm.start();
  await eventually(() => [a, b].every((n) => n.membership.nodes().join() === 'n1,n2,x'), 'x is up');
  const send = (delta: PresenceDelta | null): void => {
    if (delta !== null) xnc.publish(PRESENCE_DELTA_SUBJECT, encodePresenceDelta(delta));
  };
  const agree = (): boolean => [a, b].every((n) => seen(n.state).join() === seen(x).join());

  x.join(TOPIC, 'xa', 'x1', {}, 1);
  send(x.takeDelta());
  x.join(TOPIC, 'xb', 'x2', {}, 2);
  const lost = x.takeDelta(); // dropped
  x.leave(TOPIC, 'x1');
  const d3 = x.takeDelta();
  send(d3);
  send(d3); // duplicated
  advertised = x.clock;
  t.ok(lost !== null);
  await eventually(agree, 'a lost delta repaired');
  t.same(seen(a.state), ['x/x2']);
  t.ok(a.gossip.stats().pulls >= 1 && b.gossip.stats().pulls >= 1, 'both pulled x full state');

  x.join(TOPIC, 'xc', 'x3', {}, 3);
  const d4 = x.takeDelta();
  x.join(TOPIC, 'xd', 'x4', {}, 4);
  send(x.takeDelta());
  send(d4); // after its successor
  advertised = x.clock;
  await eventually(agree, 'reordered deltas merged');
  t.same(seen(b.state), ['x/x2', 'x/x3', 'x/x4']);

  const pullsBefore = a.gossip.stats().pulls;
  x.join(TOPIC, 'xe', 'x5', {}, 5);
  x.takeDelta(); // the last delta is lost: only the heartbeat's clock tells
  advertised = x.clock;
  await eventually(agree, 'a lost last delta noticed through the heartbeat clock');
  t.same(seen(a.state), ['x/x2', 'x/x3', 'x/x4', 'x/x5']);
  t.ok(a.gossip.stats().pulls > pullsBefore, 'n1 pulled again');
  t.ok(x.needsFullState(a.state.replica) === false, 'sanity: x itself owes nothing');
});

t.test('presence gossip - a node marked down vanishes with leaves, then is purged', async (t) => {
  const s = await server(t);
  const a = await startNode(t, s.url, 'n1', { purgeAfterMs: 1_000 });
  const c = await startNode(t, s.url, 'n3');
  c.state.join(TOPIC, 'carol', 'c7', {}, 1);
  c.state.join('acme|other', 'carol', 'c7', {}, 1);
  await eventually(() => seen(a.state).join() === 'n3/c7', 'n1 sees carol');
  await eventually(() => seen(a.state, 'acme|other').join() === 'n3/c7', 'in both topics');
  const replica = c.membership.self;
  await c.crash();
  await eventually(() => seen(a.state).length === 0, 'carol gone from the view of n1');
  t.same(a.state.replicaStatus(replica), 'down');
  t.same(leavesOf(a.changes, 'n3'), ['acme|lobby:c7', 'acme|other:c7'], 'leaves for both topics');
  t.same(seen(a.state, 'acme|other'), []);
  await eventually(() => a.state.replicaStatus(replica) === 'purged', 'purged after purgeAfterMs');
  t.notOk(
    a.state.replicas().some((r) => r.replica.node === 'n3'),
    'its entries are forgotten',
  );
});

t.test('presence gossip - a graceful leave purges the node at once', async (t) => {
  const s = await server(t);
  const a = await startNode(t, s.url, 'n1');
  const c = await startNode(t, s.url, 'n3');
  c.state.join(TOPIC, 'carol', 'c7', {}, 1);
  await eventually(() => seen(a.state).join() === 'n3/c7', 'n1 sees carol');
  const replica = c.membership.self;
  await c.gossip.close();
  await c.membership.leave();
  await eventually(() => a.state.replicaStatus(replica) === 'purged', 'purged on leaving');
  t.same(seen(a.state), []);
  t.same(leavesOf(a.changes, 'n3'), [`${TOPIC}:c7`]);
});

t.test('presence gossip - a restarted node leaves no ghosts', async (t) => {
  const s = await server(t);
  const a = await startNode(t, s.url, 'n1');
  const b = await startNode(t, s.url, 'n2');
  const first = formatIncarnation(Date.now() - 10_000, 'one');
  const c1 = await startNode(t, s.url, 'n3', { incarnation: first });
  c1.state.join(TOPIC, 'carol', 'old-1', {}, 1);
  c1.state.join(TOPIC, 'dave', 'old-2', {}, 1);
  await eventually(
    () => [a, b].every((n) => seen(n.state).join() === 'n3/old-1,n3/old-2'),
    'both see the first life',
  );
  await c1.crash(); // its connections die with it: no leaves are ever sent
  const c2 = await startNode(t, s.url, 'n3', { incarnation: formatIncarnation(Date.now(), 'two') });
  c2.state.join(TOPIC, 'carol', 'new-1', {}, 2);
  await eventually(
    () => [a, b].every((n) => seen(n.state).join() === 'n3/new-1'),
    'only the second life is visible',
  );
  for (const n of [a, b]) {
    t.same(
      leavesOf(n.changes, 'n3'),
      [`${TOPIC}:old-1`, `${TOPIC}:old-2`],
      'leaves for the old life',
    );
    t.equal(n.state.replicaStatus({ node: 'n3', incarnation: first }), 'stale');
    t.same(
      n.state.entries(TOPIC).map((e) => e.incarnation),
      [c2.membership.self.incarnation],
    );
  }
});

t.test('presence gossip - malformed messages are dropped without crashing', async (t) => {
  const s = await server(t);
  const a = await startNode(t, s.url, 'n1');
  const b = await startNode(t, s.url, 'n2');
  const evil = await connectTo(s.url);
  t.teardown(() => evil.close());
  const junk = [
    '',
    'not json',
    '[]',
    '{"node":"evil"}',
    JSON.stringify({
      node: 'evil',
      incarnation: 'i',
      context: [[1, 1]],
      covers: [[1, 1]],
      entries: [{ clock: 5, topic: 't', key: 'k', conn: 'c', onlineAt: 1, meta: {} }],
    }),
    JSON.stringify({ node: 'evil', incarnation: 'i', context: [[2, 1]], covers: [], entries: [] }),
  ];
  for (const payload of junk) evil.publish(PRESENCE_DELTA_SUBJECT, payload);
  evil.publish(presenceStateSubject('n1'), 'garbage'); // a request with nobody to answer
  await t.rejects(
    evil.request(presenceStateSubject('n1'), '{"type":"gimme"}', { timeout: 500 }),
    'a malformed state request gets no answer',
  );
  evil.publish(
    CLUSTER_HEARTBEAT_SUBJECT,
    encodeClusterMessage({
      type: 'heartbeat',
      node: 'evil',
      incarnation: 'i',
      seq: 1,
      ts: 0,
      payload: { presence: 'soon' },
    }),
  );
  const expected = junk.length + 3;
  await eventually(() => a.gossip.stats().malformed >= expected, 'all of them counted');
  t.equal(a.gossip.stats().malformed, expected, 'every malformed message was dropped and counted');
  t.equal(a.gossip.stats().deltasReceived, 0, 'none was merged');
  const answered = await evil.request(
    presenceStateSubject('n1'),
    JSON.stringify({ type: 'state_request', node: 'evil', incarnation: 'i' }),
    { timeout: 5_000 },
  );
  t.match(JSON.parse(answered.string()), { node: 'n1', entries: [] }, 'a good request is answered');
  b.state.join(TOPIC, 'bob', 'c2', {}, 1);
  await eventually(() => seen(a.state).join() === 'n2/c2', 'gossip still works');
});

t.test('presence gossip - options are checked, naming the option', async (t) => {
  const s = await server(t);
  const nc = await connectTo(s.url);
  t.teardown(() => nc.close());
  const membership = new Membership({ connection: nc, node: 'n1' });
  const state = new PresenceState({ replica: membership.self });
  const base: PresenceGossipOptions = { connection: nc, membership, state, onChanges: () => {} };
  const other = new PresenceState({ replica: { node: 'n1', incarnation: 'else' } });
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ connection: null }, /options\.connection must be a NATS connection/],
    [{ membership: {} }, /options\.membership must be a Membership/],
    [{ state: {} }, /options\.state must be a PresenceState/],
    [{ state: other }, /options\.state\.replica must be the membership's self/],
    [{ onChanges: undefined }, /options\.onChanges must be a function/],
    [{ broadcastMs: 0 }, /options\.broadcastMs must be a positive integer, got 0/],
    [{ purgeAfterMs: -1 }, /options\.purgeAfterMs must be a positive integer/],
    [{ requestTimeoutMs: '1s' }, /options\.requestTimeoutMs must be a positive integer/],
  ];
  for (const [override, message] of bad) {
    t.throws(() => new PresenceGossip({ ...base, ...override } as PresenceGossipOptions), {
      code: 'ARQ_ERR_CLUSTER_OPTIONS',
      message,
    });
  }
  const gossip = new PresenceGossip(base);
  t.equal(gossip.broadcastClock, 0);
  await gossip.start();
  await t.rejects(gossip.start(), { code: 'ARQ_ERR_CLUSTER_STATE' });
  await gossip.close();
});
