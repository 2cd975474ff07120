// Property tests of PresenceState as a cluster would drive it: several replicas, lossy gossip,
// liveness changes and restarts.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import t from 'tap';
import {
  formatIncarnation,
  type PresenceChanges,
  type PresenceDelta,
  PresenceState,
} from '../../../actors/presence/index.js';
import {
  applyChanges,
  arbReplicaState,
  contentId,
  contentSnapshot,
  KEYS,
  snapshot,
  TOPICS,
} from './fixtures/presence-fixtures.js';

const METAS = [{}, { status: 'here' }, { status: 'away', tags: ['a', 1] }];
const MAX_NODES = 4;

interface SimNode {
  readonly name: string;
  state: PresenceState;
  /** This node's own entries, as the writer: "topic NUL conn" -> content. The truth. */
  truth: Map<string, string>;
  /** The view rebuilt from reported changes only, as a client of this node would see it. */
  client: Set<string>;
  inbox: PresenceDelta[];
  restarts: number;
}

const idx = (max: number) => fc.integer({ min: 0, max: max - 1 });
const join = fc.record({
  type: fc.constant('join' as const),
  r: idx(MAX_NODES),
  topic: idx(TOPICS.length),
  key: idx(KEYS.length),
  conn: idx(4),
  meta: idx(METAS.length),
});
const leave = fc.record({
  type: fc.constant('leave' as const),
  r: idx(MAX_NODES),
  topic: idx(TOPICS.length),
  conn: idx(4),
});
const leaveConn = fc.record({
  type: fc.constant('leaveConn' as const),
  r: idx(MAX_NODES),
  conn: idx(4),
});
const flush = fc.record({
  type: fc.constant('flush' as const),
  r: idx(MAX_NODES),
  // Per target: 0 = dropped, 1 = delivered once, 2 = duplicated.
  copies: fc.array(fc.constantFrom(0, 1, 1, 2), { minLength: MAX_NODES, maxLength: MAX_NODES }),
});
const deliver = fc.record({
  type: fc.constant('deliver' as const),
  to: idx(MAX_NODES),
  pick: fc.nat(),
  syncOnGap: fc.boolean(),
});
const liveness = fc.record({
  type: fc.constantFrom('sync' as const, 'down' as const, 'up' as const, 'purge' as const),
  to: idx(MAX_NODES),
  of: idx(MAX_NODES),
});
const restart = fc.record({ type: fc.constant('restart' as const), r: idx(MAX_NODES) });

/** Writes and lossy gossip only: full states are pulled only where a gap shows. */
const gossip = fc.oneof(
  { weight: 4, arbitrary: join },
  { weight: 2, arbitrary: leave },
  { weight: 1, arbitrary: leaveConn },
  { weight: 3, arbitrary: flush },
  { weight: 5, arbitrary: deliver },
);
/** The same plus unasked full-state syncs, liveness changes and restarts. */
const action = fc.oneof(
  { weight: 15, arbitrary: gossip },
  { weight: 2, arbitrary: liveness },
  { weight: 1, arbitrary: restart },
);

type Action = typeof action extends fc.Arbitrary<infer T> ? T : never;

function start(name: string, restarts: number): PresenceState {
  return new PresenceState({
    replica: { node: name, incarnation: formatIncarnation(1_000 + restarts, name) },
  });
}

/** Applies the changes an operation reported to the node's client copy; checks it is the view. */
function observe(node: SimNode, changes: PresenceChanges): void {
  applyChanges(node.client, changes);
  assert.deepStrictEqual(
    [...node.client].sort(),
    snapshot(node.state),
    `${node.name}: changes = view`,
  );
}

function run(count: number, actions: readonly Action[]): void {
  const nodes: SimNode[] = [];
  for (let i = 0; i < count; i++) {
    const name = `node-${i}`;
    nodes.push({
      name,
      state: start(name, 0),
      truth: new Map(),
      client: new Set(),
      inbox: [],
      restarts: 0,
    });
  }
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const pullState = (to: SimNode, from: SimNode) =>
    observe(to, to.state.merge(from.state.extractState()).changes);

  for (const a of actions) {
    if ('r' in a && a.r >= count) continue;
    if ('to' in a && a.to >= count) continue;
    if ('of' in a && (a.of >= count || a.of === a.to)) continue;
    switch (a.type) {
      case 'join': {
        const node = nodes[a.r]!;
        const [topic, key, conn, meta] = [
          TOPICS[a.topic]!,
          KEYS[a.key]!,
          `c${a.conn}`,
          METAS[a.meta]!,
        ];
        observe(node, node.state.join(topic, key, conn, meta, 1));
        node.truth.set(`${topic}\u0000${conn}`, contentId(topic, key, conn, node.name, meta));
        break;
      }
      case 'leave': {
        const node = nodes[a.r]!;
        observe(node, node.state.leave(TOPICS[a.topic]!, `c${a.conn}`));
        node.truth.delete(`${TOPICS[a.topic]}\u0000c${a.conn}`);
        break;
      }
      case 'leaveConn': {
        const node = nodes[a.r]!;
        observe(node, node.state.leaveConn(`c${a.conn}`));
        for (const k of [...node.truth.keys()])
          if (k.endsWith(`\u0000c${a.conn}`)) node.truth.delete(k);
        break;
      }
      case 'flush': {
        const delta = nodes[a.r]!.state.takeDelta();
        if (delta === null) break;
        nodes.forEach((to, i) => {
          if (i !== a.r) for (let c = 0; c < a.copies[i]!; c++) to.inbox.push(delta);
        });
        break;
      }
      case 'deliver': {
        const to = nodes[a.to]!;
        if (to.inbox.length === 0) break;
        const [delta] = to.inbox.splice(a.pick % to.inbox.length, 1); // any order: reordering
        const result = to.state.merge(delta!);
        observe(to, result.changes);
        // The cluster layer asks whoever answers for that node now (maybe a newer incarnation).
        if (result.gap && a.syncOnGap) pullState(to, byName.get(delta!.node)!);
        break;
      }
      case 'sync':
        pullState(nodes[a.to]!, nodes[a.of]!);
        break;
      case 'down':
        observe(nodes[a.to]!, nodes[a.to]!.state.replicaDown(nodes[a.of]!.state.replica));
        break;
      case 'up':
        observe(nodes[a.to]!, nodes[a.to]!.state.replicaUp(nodes[a.of]!.state.replica));
        break;
      case 'purge':
        observe(nodes[a.to]!, nodes[a.to]!.state.purge(nodes[a.of]!.state.replica));
        break;
      case 'restart': {
        // The process dies with its state, its pending delta and its inbox; its peers' inboxes
        // may still hold deltas of the old incarnation.
        const node = nodes[a.r]!;
        node.restarts++;
        node.state = start(node.name, node.restarts);
        node.truth = new Map();
        node.client = new Set();
        node.inbox = [];
        break;
      }
    }
  }

  // Quiescence: last deltas sent reliably, inboxes drained newest first, then one heartbeat round
  // (each peer seen up, its advertised clock compared) pulling full states where dots are missing.
  for (const [i, from] of nodes.entries()) {
    const delta = from.state.takeDelta();
    if (delta === null) continue;
    for (const [j, to] of nodes.entries()) if (j !== i) to.inbox.push(delta);
  }
  for (const to of nodes) {
    for (const delta of to.inbox.reverse()) observe(to, to.state.merge(delta).changes);
    to.inbox = [];
  }
  for (const to of nodes) {
    for (const from of nodes) {
      if (to === from) continue;
      observe(to, to.state.replicaUp(from.state.replica));
      if (to.state.needsFullState(from.state.replica, from.state.clock)) pullState(to, from);
    }
  }

  const truth = nodes.flatMap((n) => [...n.truth.values()]).sort();
  for (const node of nodes) {
    assert.deepStrictEqual(contentSnapshot(node.state), truth, `${node.name} sees the truth`);
    for (const from of nodes) {
      if (from !== node)
        assert.ok(!node.state.needsFullState(from.state.replica, from.state.clock));
    }
  }
  for (const node of nodes.slice(1))
    assert.deepStrictEqual(snapshot(node.state), snapshot(nodes[0]!.state));
}

t.test('presence state - lossy gossip converges to the truth, gaps pulled', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 3, max: MAX_NODES }),
      fc.array(gossip, { maxLength: 150, size: 'medium' }),
      run,
    ),
    { numRuns: 300 },
  );
  t.pass("300 random histories: every replica ends with every replica's own entries");
});

t.test('presence state - convergence survives syncs, down, purge and restarts', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 3, max: MAX_NODES }),
      fc.array(action, { maxLength: 150, size: 'medium' }),
      run,
    ),
    { numRuns: 300 },
  );
  t.pass('300 random histories with liveness changes and restarts');
});

const B = { node: 'node-b', incarnation: formatIncarnation(2_000, 'b') };
const B2 = { node: 'node-b', incarnation: formatIncarnation(3_000, 'b') };
const C = { node: 'node-c', incarnation: formatIncarnation(2_000, 'c') };
const A = { node: 'node-a', incarnation: formatIncarnation(1_000, 'a') };
const idsOf = (changes: readonly { node: string; incarnation: string; clock: number }[]) =>
  changes.map((e) => `${e.incarnation}/${e.clock}`).sort();
const changed = (changes: PresenceChanges, side: 'joins' | 'leaves') =>
  idsOf([...changes.values()].flatMap((c) => c[side]));

t.test(
  'presence state - replicaDown hides exactly that replica and reports its leaves',
  async (t) => {
    fc.assert(
      fc.property(arbReplicaState(B), arbReplicaState(B), arbReplicaState(C), (b1, b2, c) => {
        const a = new PresenceState({ replica: A });
        a.merge(b1);
        a.merge(c);
        const ofB = a
          .topics()
          .flatMap((topic) => a.entries(topic))
          .filter((e) => e.node === B.node);
        const down = a.replicaDown(B);
        assert.deepStrictEqual(changed(down, 'leaves'), idsOf(ofB));
        assert.deepStrictEqual(changed(down, 'joins'), []);
        assert.ok(a.topics().every((topic) => a.entries(topic).every((e) => e.node === C.node)));
        assert.equal(a.merge(b2).changes.size, 0, 'hidden while down');
        const up = a.replicaUp(B);
        const expected = new PresenceState({ replica: A });
        for (const p of [b1, b2, c]) expected.merge(p);
        assert.deepStrictEqual(snapshot(a), snapshot(expected));
        const nowOfB = a
          .topics()
          .flatMap((topic) => a.entries(topic))
          .filter((e) => e.node === B.node);
        assert.deepStrictEqual(changed(up, 'joins'), idsOf(nowOfB));
      }),
      { numRuns: 200 },
    );
    t.pass('200 random cases');
  },
);

t.test('presence state - a new incarnation removes every entry of the old one', async (t) => {
  fc.assert(
    fc.property(
      arbReplicaState(B),
      arbReplicaState(B2),
      arbReplicaState(C),
      arbReplicaState(B),
      (old, next, c, late) => {
        const a = new PresenceState({ replica: A });
        a.merge(old);
        a.merge(c);
        const before = snapshot(a);
        const result = a.merge(next);
        const oldIds = before.filter((id) => id.includes(`|${B.incarnation}|`));
        assert.equal(changed(result.changes, 'leaves').length, oldIds.length);
        assert.deepStrictEqual(
          changed(result.changes, 'joins'),
          idsOf(next.entries.map((e) => ({ ...e, ...B2 }))),
        );
        assert.ok(
          snapshot(a).every((id) => !id.includes(`|${B.incarnation}|`)),
          'no ghost',
        );
        const stale = a.merge(late);
        assert.equal(stale.outcome, 'stale');
        assert.equal(stale.changes.size, 0);
      },
    ),
    { numRuns: 200 },
  );
  t.pass('200 random cases');
});
