import type { NatsConnection } from '@nats-io/transport-node';
import t, { type Test } from 'tap';
import { formatIncarnation } from '../../actors/index.js';
import {
  CLUSTER_HEARTBEAT_SUBJECT,
  ClusterRing,
  encodeClusterMessage,
  type MemberId,
  Membership,
  type MembershipEvent,
  type MembershipOptions,
} from '../../src/cluster/index.js';
import { type NatsServer, startNatsServer } from '../helpers/nats-server.js';
import { connectTo, eventually, sleep } from './fixtures/cluster-fixtures.js';

const FAST = { heartbeatMs: 100, downAfterMs: 500 } as const;

interface Member {
  readonly membership: Membership;
  readonly events: MembershipEvent[];
  readonly nc: NatsConnection;
}

async function startMember(
  t: Test,
  url: string,
  node: string,
  options: Partial<MembershipOptions> = {},
  pinned = false,
): Promise<Member> {
  // A pinned client stays on its server (no failover to servers the cluster advertises).
  const nc = await connectTo(url, { ignoreClusterUpdates: pinned });
  const membership = new Membership({ connection: nc, node, ...FAST, ...options });
  const events: MembershipEvent[] = [];
  membership.on((event) => {
    if (event.type !== 'heartbeat') events.push(event);
  });
  t.teardown(async () => {
    await membership.close();
    await nc.close();
  });
  await membership.start();
  return { membership, events, nc };
}

function nodesOf(member: Member): string[] {
  return member.membership.nodes();
}

function seesAll(members: readonly Member[], nodes: readonly string[]): boolean {
  return members.every((m) => nodesOf(m).join() === nodes.join());
}

async function server(t: Test): Promise<NatsServer> {
  const s = await startNatsServer();
  t.teardown(() => s.stop());
  return s;
}

t.test('membership - three members see each other and agree on the ring', async (t) => {
  const s = await server(t);
  const members = await Promise.all(['n1', 'n2', 'n3'].map((n) => startMember(t, s.url, n)));
  await eventually(() => seesAll(members, ['n1', 'n2', 'n3']), 'all see all');
  await Promise.all(members.map((m) => m.membership.whenReady()));
  t.ok(members.every((m) => m.membership.ready));
  const rings = members.map((m) => new ClusterRing(m.membership.nodes()));
  const rooms = Array.from({ length: 200 }, (_, i) => `t|room.${i}`);
  for (const ring of rings.slice(1)) {
    t.ok(
      rooms.every((room) => ring.ownerOf(room) === rings[0]!.ownerOf(room)),
      'same owners',
    );
  }
  const upOfN1 = members[0]!.events.filter((e) => e.type === 'up').map((e) => e.member.node);
  t.same(upOfN1.sort(), ['n2', 'n3'], 'n1 saw n2 and n3 come up');
  t.same(
    members[0]!.membership.members().find((m) => m.node === 'n2'),
    members[1]!.membership.self,
    'a member is known with its incarnation',
  );
});

t.test('membership - a newcomer hears every peer at once, not at their next tick', async (t) => {
  const s = await server(t);
  // Ticks an hour apart: each member beats once when it starts, and never on its own again here.
  const slow = { heartbeatMs: 3_600_000, downAfterMs: 7_200_000 };
  const a = await startMember(t, s.url, 'a', slow);
  const b = await startMember(t, s.url, 'b', slow);
  await eventually(() => seesAll([a, b], ['a', 'b']), 'both see both');
  const c = await startMember(t, s.url, 'c', slow);
  await eventually(() => seesAll([a, b, c], ['a', 'b', 'c']), 'all three see all');
  const sent = (): number[] => [a, b, c].map((m) => m.membership.stats().heartbeatsSent);
  const counts = sent();
  // Its first beat, then at most one answer per new peer.
  t.ok(
    counts.every((n) => n >= 1 && n <= 3),
    `no storm of answers (${counts.join(', ')})`,
  );
  await sleep(300);
  t.same(sent(), counts, 'and the answers ended');
});

t.test('membership - a silent member is declared down', async (t) => {
  const s = await server(t);
  const members = await Promise.all(['n1', 'n2', 'n3'].map((n) => startMember(t, s.url, n)));
  await eventually(() => seesAll(members, ['n1', 'n2', 'n3']), 'all see all');
  const silenced = members[2]!;
  const closedAt = Date.now();
  await silenced.membership.close(); // no leaving message: peers must notice the silence
  t.equal(silenced.membership.state, 'closed');
  await eventually(() => seesAll(members.slice(0, 2), ['n1', 'n2']), 'n3 dropped by n1 and n2');
  for (const m of members.slice(0, 2)) {
    const down = m.events.find((e) => e.type === 'down');
    t.match(down, { type: 'down', member: silenced.membership.self }, 'a down event for n3');
    t.ok(
      down?.type === 'down' && down.silentMs >= FAST.downAfterMs,
      'after downAfterMs of silence',
    );
    t.notOk(
      m.events.some((e) => e.type === 'leaving'),
      'not a leaving',
    );
  }
  t.comment(`n3 was dropped ${Date.now() - closedAt} ms after it went silent`);
  t.same(
    members[0]!.membership.peers().find((p) => p.member.node === 'n3')?.status,
    'down',
    'peers() remembers it as down',
  );
});

t.test('membership - a graceful leave is seen at once', async (t) => {
  const s = await server(t);
  // A down timeout far beyond the test's wait: only the leaving message can drop n2 in time.
  const slow = { heartbeatMs: 100, downAfterMs: 120_000 };
  const a = await startMember(t, s.url, 'n1', slow);
  const b = await startMember(t, s.url, 'n2', slow);
  await eventually(() => seesAll([a, b], ['n1', 'n2']), 'both see both');
  await b.membership.leave();
  t.equal(b.membership.state, 'left');
  await eventually(() => nodesOf(a).join() === 'n1', 'n2 dropped by n1', 10_000);
  t.match(a.events.at(-1), { type: 'leaving', member: b.membership.self });
  await t.rejects(b.membership.whenReady(), { code: 'ARQ_ERR_CLUSTER_STATE' });
});

t.test('membership - a restarted node is seen as restarted, its old life is ignored', async (t) => {
  const s = await server(t);
  const a = await startMember(t, s.url, 'n1');
  const oldLife = formatIncarnation(Date.now() - 60_000, 'old');
  const newLife = formatIncarnation(Date.now(), 'new');
  const b1 = await startMember(t, s.url, 'n2', { incarnation: oldLife });
  await eventually(() => nodesOf(a).join() === 'n1,n2', 'n1 sees n2');
  await b1.membership.close();
  const b2 = await startMember(t, s.url, 'n2', { incarnation: newLife });
  await eventually(() => a.events.some((e) => e.type === 'restarted'), 'a restart event');
  t.match(
    a.events.find((e) => e.type === 'restarted'),
    {
      type: 'restarted',
      previous: { node: 'n2', incarnation: oldLife },
      member: { node: 'n2', incarnation: newLife },
    },
  );
  t.same(
    a.membership.members().map((m: MemberId) => m.incarnation),
    [a.membership.self.incarnation, newLife],
  );
  // A late heartbeat of the old life changes nothing.
  const staleBefore = a.membership.stats().stale;
  a.nc.publish(
    CLUSTER_HEARTBEAT_SUBJECT,
    encodeClusterMessage({
      type: 'heartbeat',
      node: 'n2',
      incarnation: oldLife,
      seq: 99,
      ts: 0,
      payload: {},
    }),
  );
  await eventually(() => a.membership.stats().stale > staleBefore, 'the stale heartbeat counted');
  t.equal(a.membership.members()[1]!.incarnation, newLife);
  t.notOk(
    a.events.some((e) => e.type === 'down'),
    'no down event for a restart',
  );
  await b2.membership.close();
});

t.test('membership - joining until a heartbeat round has passed, then ready', async (t) => {
  const s = await server(t);
  const nc = await connectTo(s.url);
  t.teardown(() => nc.close());
  const m = new Membership({ connection: nc, node: 'solo', heartbeatMs: 300, downAfterMs: 900 });
  t.equal(m.state, 'idle');
  t.notOk(m.ready);
  await m.start();
  t.equal(m.state, 'joining', 'not ready right after start');
  await m.whenReady();
  t.equal(m.state, 'ready');
  t.same(m.nodes(), ['solo'], 'alone, the live set is itself');
  await t.rejects(m.start(), { code: 'ARQ_ERR_CLUSTER_STATE' });
  await m.close();
  t.equal(m.state, 'closed');
  await t.rejects(m.whenReady(), { code: 'ARQ_ERR_CLUSTER_STATE' });
});

t.test('membership - a NATS server restart: members come back, none stays down', async (t) => {
  const s = await server(t);
  const members = await Promise.all(['n1', 'n2', 'n3'].map((n) => startMember(t, s.url, n)));
  await eventually(() => seesAll(members, ['n1', 'n2', 'n3']), 'all see all');
  await Promise.all(members.map((m) => m.membership.whenReady()));
  await s.kill();
  await eventually(
    () => members.every((m) => m.membership.state === 'disconnected'),
    'all notice the outage',
  );
  t.notOk(members[0]!.membership.ready, 'not ready while disconnected');
  await s.restart();
  await eventually(() => members.every((m) => m.membership.ready), 'all ready again');
  const received = members.map((m) => m.membership.stats().heartbeatsReceived);
  await eventually(
    () => members.every((m, i) => m.membership.stats().heartbeatsReceived > received[i]! + 4),
    'heartbeats flow again',
  );
  await eventually(() => seesAll(members, ['n1', 'n2', 'n3']), 'all see all after the restart');
});

t.test('membership - a node cut off from NATS is down for the others, then up again', async (t) => {
  // Two servers in a cluster: n1 on the first, n2 and n3 on the second. Killing the first cuts n1
  // off while n2 and n3 still talk.
  const s2 = await startNatsServer({ cluster: {} });
  t.teardown(() => s2.stop());
  const s1 = await startNatsServer({ cluster: { routes: [s2.routeUrl!] } });
  t.teardown(() => s1.stop());
  const a = await startMember(t, s1.url, 'n1', {}, true);
  const b = await startMember(t, s2.url, 'n2');
  const c = await startMember(t, s2.url, 'n3');
  await eventually(() => seesAll([a, b, c], ['n1', 'n2', 'n3']), 'all see all across the route');
  await s1.kill();
  await eventually(() => seesAll([b, c], ['n2', 'n3']), 'n2 and n3 declare n1 down');
  t.ok(b.events.some((e) => e.type === 'down' && e.member.node === 'n1'));
  t.equal(a.membership.state, 'disconnected');
  t.same(nodesOf(a), ['n1', 'n2', 'n3'], 'n1 holds no silence against peers while it is cut off');
  await s1.restart();
  await eventually(() => seesAll([a, b, c], ['n1', 'n2', 'n3']), 'n1 is back for everyone');
  t.ok(b.events.some((e) => e.type === 'up' && e.member.node === 'n1' && b.events.indexOf(e) > 1));
  t.match(
    b.events.filter((e) => e.member?.node === 'n1').map((e) => e.type),
    ['up', 'down', 'up'],
  );
});

t.test('membership - malformed messages and id conflicts are counted, never fatal', async (t) => {
  const s = await server(t);
  const a = await startMember(t, s.url, 'n1');
  for (const junk of ['', 'null', '{"v":1}', '[1,2]', '{"v":1,"type":"heartbeat","node":""}']) {
    a.nc.publish(CLUSTER_HEARTBEAT_SUBJECT, junk);
  }
  a.nc.publish(CLUSTER_HEARTBEAT_SUBJECT, new Uint8Array([0xff, 0x00, 0xfe]));
  a.nc.publish(
    CLUSTER_HEARTBEAT_SUBJECT,
    encodeClusterMessage({
      type: 'heartbeat',
      node: 'n1',
      incarnation: 'zz-other',
      seq: 1,
      ts: 0,
      payload: {},
    }),
  );
  await eventually(() => a.membership.stats().malformed >= 6, 'malformed messages counted');
  await eventually(() => a.membership.stats().conflicts >= 1, 'the id conflict counted');
  t.equal(a.membership.stats().malformed, 6, 'six malformed messages dropped');
  t.equal(a.membership.stats().conflicts, 1, 'one id conflict');
  await a.membership.whenReady();
  t.equal(a.membership.state, 'ready');
  const b = await startMember(t, s.url, 'n2');
  await eventually(() => seesAll([a, b], ['n1', 'n2']), 'membership still works');
});

t.test('membership - options are checked, naming the option', async (t) => {
  const s = await server(t);
  const nc = await connectTo(s.url);
  t.teardown(() => nc.close());
  const base = { connection: nc, node: 'n1' };
  const bad: [Partial<MembershipOptions> & Record<string, unknown>, RegExp][] = [
    [{ connection: {} as NatsConnection }, /options\.connection must be a NATS connection/],
    [{ node: '' }, /options\.node must be a non-empty string/],
    [{ incarnation: '' }, /options\.incarnation must be a non-empty string/],
    [{ heartbeatMs: 0 }, /options\.heartbeatMs must be a positive integer, got 0/],
    [
      { heartbeatMs: 100, downAfterMs: 150 },
      /options\.downAfterMs must be at least twice options\.heartbeatMs/,
    ],
    [{ downAfterMs: 1.5 }, /options\.downAfterMs must be a positive integer/],
    [
      { downAfterMs: 5000, forgetAfterMs: 10 },
      /options\.forgetAfterMs must be at least options\.downAfterMs/,
    ],
    [{ log: 'loud' as unknown as () => void }, /options\.log must be a function/],
  ];
  for (const [override, message] of bad) {
    t.throws(() => new Membership({ ...base, ...override } as MembershipOptions), {
      code: 'ARQ_ERR_CLUSTER_OPTIONS',
      message,
    });
  }
  t.throws(() => new Membership(null as unknown as MembershipOptions), {
    code: 'ARQ_ERR_CLUSTER_OPTIONS',
  });
  const m = new Membership(base);
  t.equal(m.heartbeatMs, 500, 'DEFAULT_HEARTBEAT_MS');
  t.equal(m.downAfterMs, 3000, 'DEFAULT_DOWN_AFTER_MS');
  t.match(m.self.incarnation, /^[0-9a-z]{11}-[0-9a-f]{8}$/, 'a sortable incarnation by default');
});
