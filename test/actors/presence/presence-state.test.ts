import t from 'tap';
import {
  formatIncarnation,
  type PresenceChanges,
  PresenceState,
} from '../../../actors/presence/index.js';
import { snapshot } from './fixtures/presence-fixtures.js';

const A = { node: 'node-a', incarnation: formatIncarnation(1_000, 'a') };
const B = { node: 'node-b', incarnation: formatIncarnation(2_000, 'b') };
const B2 = { node: 'node-b', incarnation: formatIncarnation(9_000, 'b') };
const LOBBY = 't.acme.r.lobby';
const GAME = 't.acme.r.game';

/** "topic:+conn@node" / "topic:-conn@node", sorted, for compact assertions on changes. */
function summary(changes: PresenceChanges): string[] {
  const out: string[] = [];
  for (const [topic, { joins, leaves }] of changes) {
    for (const e of joins) out.push(`${topic}:+${e.conn}@${e.node}`);
    for (const e of leaves) out.push(`${topic}:-${e.conn}@${e.node}`);
  }
  return out.sort();
}

t.test('presence state - local joins and leaves report changes and spend dots', async (t) => {
  const a = new PresenceState({ replica: A });
  t.same(summary(a.join(LOBBY, 'alice', 'c1', {}, 10)), [`${LOBBY}:+c1@node-a`]);
  t.same(summary(a.join(GAME, 'alice', 'c1', {}, 11)), [`${GAME}:+c1@node-a`]);
  t.same(summary(a.join(LOBBY, 'bob', 'c2', {}, 12)), [`${LOBBY}:+c2@node-a`]);
  t.equal(a.clock, 3);
  t.same(summary(a.join(LOBBY, 'bob', 'c2', {}, 99)), [], 'the same join again is no change');
  t.equal(a.clock, 3, 'and spends no dot');
  t.same(summary(a.leave(LOBBY, 'c2')), [`${LOBBY}:-c2@node-a`]);
  t.equal(a.clock, 4, 'a leave spends a dot');
  t.same(summary(a.leave(LOBBY, 'c2')), [], 'leaving twice is no change');
  t.same(summary(a.leaveConn('c1')), [`${GAME}:-c1@node-a`, `${LOBBY}:-c1@node-a`]);
  t.equal(a.clock, 5);
  t.same(summary(a.leaveConn('c1')), []);
  t.same(a.topics(), []);
  t.equal(a.size, 0);
});

t.test('presence state - takeDelta returns the writes since the last call', async (t) => {
  const a = new PresenceState({ replica: A });
  t.equal(a.takeDelta(), null, 'nothing written yet');
  a.join(LOBBY, 'alice', 'c1', { s: 1 }, 10);
  a.join(LOBBY, 'bob', 'c2', {}, 11);
  t.same(a.takeDelta(), {
    ...A,
    context: [[1, 2]],
    covers: [[1, 2]],
    entries: [
      { clock: 1, topic: LOBBY, key: 'alice', conn: 'c1', onlineAt: 10, meta: { s: 1 } },
      { clock: 2, topic: LOBBY, key: 'bob', conn: 'c2', onlineAt: 11, meta: {} },
    ],
  });
  t.equal(a.takeDelta(), null, 'reset by the previous call');
  a.leave(LOBBY, 'c1');
  t.same(
    a.takeDelta(),
    {
      ...A,
      context: [
        [1, 1],
        [3, 3],
      ],
      covers: [[3, 3]],
      entries: [],
    },
    'the removed dot is known, the leave dot is covered',
  );
  t.same(a.extractState(), {
    ...A,
    context: [[1, 3]],
    covers: [[1, 3]],
    entries: [{ clock: 2, topic: LOBBY, key: 'bob', conn: 'c2', onlineAt: 11, meta: {} }],
  });
});

t.test('presence state - a lost or reordered delta is a gap until a full state', async (t) => {
  const a = new PresenceState({ replica: A });
  const b = new PresenceState({ replica: B });
  b.join(LOBBY, 'alice', 'c1', {}, 1);
  const d1 = b.takeDelta()!;
  b.join(LOBBY, 'bob', 'c2', {}, 2);
  const d2 = b.takeDelta()!;
  b.leave(LOBBY, 'c1');
  const d3 = b.takeDelta()!;

  t.equal(a.merge(d1).gap, false);
  const r3 = a.merge(d3);
  t.equal(r3.outcome, 'applied');
  t.ok(r3.gap, 'd2 missing');
  t.same(summary(r3.changes), [`${LOBBY}:-c1@node-b`], 'the leave applies anyway');
  t.ok(a.needsFullState(B));
  t.same(summary(a.merge(b.extractState()).changes), [`${LOBBY}:+c2@node-b`]);
  t.notOk(a.needsFullState(B));
  t.same(summary(a.merge(d2).changes), [], 'the late delta changes nothing');
  t.same(snapshot(a), snapshot(b));

  b.join(GAME, 'bob', 'c2', {}, 3);
  b.takeDelta(); // lost: no later delta shows the gap, the advertised clock does
  t.notOk(a.needsFullState(B));
  t.ok(a.needsFullState(B, b.clock));
  t.notOk(a.needsFullState(A, 99), 'never for itself');
  t.ok(a.needsFullState({ node: 'node-z', incarnation: 'z' }, 1), 'an unknown replica with dots');
  t.notOk(a.needsFullState({ node: 'node-z', incarnation: 'z' }, 0));
});

t.test('presence state - a down replica is hidden, kept, and shown again', async (t) => {
  const a = new PresenceState({ replica: A });
  const b = new PresenceState({ replica: B });
  b.join(LOBBY, 'alice', 'c1', {}, 1);
  b.join(GAME, 'alice', 'c1', {}, 1);
  a.merge(b.takeDelta()!);
  a.join(LOBBY, 'carol', 'c9', {}, 1);

  t.same(summary(a.replicaDown(B)), [`${GAME}:-c1@node-b`, `${LOBBY}:-c1@node-b`]);
  t.equal(a.replicaStatus(B), 'down');
  t.same(a.topics(), [LOBBY], 'only the local entry is left');
  t.same(summary(a.replicaDown(B)), [], 'down twice is no change');

  b.leave(GAME, 'c1');
  b.join(LOBBY, 'bob', 'c2', {}, 2);
  const hidden = a.merge(b.takeDelta()!);
  t.equal(hidden.outcome, 'applied');
  t.same(summary(hidden.changes), [], 'merges into a down replica are not shown');

  t.same(summary(a.replicaUp(B)), [`${LOBBY}:+c1@node-b`, `${LOBBY}:+c2@node-b`]);
  t.equal(a.replicaStatus(B), 'up');
  t.same(a.replicas(), [{ replica: B, status: 'up', clock: 4, hasGaps: false, entries: 2 }]);
});

t.test('presence state - purge forgets a replica until it is up again', async (t) => {
  const a = new PresenceState({ replica: A });
  const b = new PresenceState({ replica: B });
  b.join(LOBBY, 'alice', 'c1', {}, 1);
  a.merge(b.takeDelta()!);
  t.same(summary(a.purge(B)), [`${LOBBY}:-c1@node-b`]);
  t.equal(a.replicaStatus(B), 'purged');
  t.same(a.replicas(), []);
  b.join(LOBBY, 'bob', 'c2', {}, 2);
  const late = a.merge(b.takeDelta()!);
  t.equal(late.outcome, 'purged');
  t.equal(a.size, 0, 'a late delta brings back no ghost');

  t.same(summary(a.replicaUp(B)), [], 'up again, but nothing known');
  t.ok(a.needsFullState(B, b.clock));
  t.same(summary(a.merge(b.extractState()).changes), [
    `${LOBBY}:+c1@node-b`,
    `${LOBBY}:+c2@node-b`,
  ]);
});

t.test('presence state - a new incarnation replaces the old one, no ghosts', async (t) => {
  const a = new PresenceState({ replica: A });
  const b1 = new PresenceState({ replica: B });
  b1.join(LOBBY, 'alice', 'c1', {}, 1);
  a.merge(b1.takeDelta()!);
  b1.join(LOBBY, 'bob', 'c2', {}, 2);
  const inFlight = b1.takeDelta()!;

  const b2 = new PresenceState({ replica: B2 });
  b2.join(LOBBY, 'alice', 'c1', {}, 3);
  const result = a.merge(b2.takeDelta()!);
  t.same(summary(result.changes), [`${LOBBY}:+c1@node-b`, `${LOBBY}:-c1@node-b`]);
  t.same(
    result.changes.get(LOBBY)!.leaves.map((e) => e.incarnation),
    [B.incarnation],
  );
  t.equal(a.replicaStatus(B), 'stale');
  t.equal(a.replicaStatus(B2), 'up');
  const late = a.merge(inFlight);
  t.equal(late.outcome, 'stale');
  t.same(summary(late.changes), []);
  t.same(summary(a.replicaUp(B)), [], 'the old incarnation cannot be brought back');
  t.same(snapshot(a), snapshot(b2));

  const a2 = new PresenceState({ replica: A });
  a2.merge(b1.extractState());
  t.same(summary(a2.replicaUp(B2)), [`${LOBBY}:-c1@node-b`, `${LOBBY}:-c2@node-b`]);
  t.equal(a2.size, 0, 'a heartbeat of the new incarnation is enough');
});

t.test('presence state - payloads about its own node are ignored', async (t) => {
  const a = new PresenceState({ replica: A });
  a.join(LOBBY, 'alice', 'c1', {}, 1);
  const own = a.extractState();
  t.equal(a.merge({ ...own, entries: [] }).outcome, 'self');
  t.equal(a.merge({ ...own, incarnation: formatIncarnation(9_999, 'a') }).outcome, 'stale');
  t.equal(a.size, 1);
  t.equal(a.replicaStatus(A), 'self');
  t.same(summary(a.replicaDown(A)), []);
  t.same(summary(a.purge(A)), []);
  t.equal(a.size, 1);
});

t.test('presence state - rejects bad options and arguments', async (t) => {
  const bad: unknown[] = [
    undefined,
    {},
    { replica: null },
    { replica: { node: '', incarnation: 'i' } },
  ];
  for (const options of bad) {
    t.throws(
      () => new PresenceState(options as never),
      { code: 'ARQ_ERR_PRESENCE_OPTIONS', message: /options\.replica/ },
      JSON.stringify(options) ?? 'undefined',
    );
  }
  t.throws(() => new PresenceState({ replica: { node: 'n', incarnation: 7 as never } }), {
    message: /options\.replica\.incarnation must be a non-empty string, got 7/,
  });
  const a = new PresenceState({ replica: A });
  const arg = { code: 'ARQ_ERR_PRESENCE_ARGUMENT' };
  t.throws(() => a.join('', 'alice', 'c1', {}, 1), { ...arg, message: /topic/ });
  t.throws(() => a.join(LOBBY, '', 'c1', {}, 1), { ...arg, message: /key/ });
  t.throws(() => a.join(LOBBY, 'alice', '', {}, 1), { ...arg, message: /conn/ });
  t.throws(() => a.join(LOBBY, 'alice', 'c1', [] as never, 1), { ...arg, message: /meta/ });
  t.throws(() => a.join(LOBBY, 'alice', 'c1', {}, Number.NaN), { ...arg, message: /onlineAt/ });
  t.equal(a.clock, 0, 'a refused join spends no dot');
});

t.test('presence state - a lost delta whose dots a later one removes is still a gap', async (t) => {
  // Found by the convergence property: delta 2 replaces entry 1 and is lost; delta 3 removes
  // entry 2. Dots 1..3 are all known afterwards, yet entry 1 is a ghost unless the gap shows.
  const a = new PresenceState({ replica: A });
  const b = new PresenceState({ replica: B });
  b.join(LOBBY, 'alice', 'c1', { s: 1 }, 1);
  a.merge(b.takeDelta()!);
  b.join(LOBBY, 'alice', 'c1', { s: 2 }, 1);
  b.takeDelta(); // lost
  b.leave(LOBBY, 'c1');
  const result = a.merge(b.takeDelta()!);
  t.ok(result.gap);
  t.ok(a.needsFullState(B, b.clock));
  t.equal(a.size, 1, 'entry 1 is still shown');
  t.same(summary(a.merge(b.extractState()).changes), [`${LOBBY}:-c1@node-b`]);
  t.equal(a.size, 0);
  t.notOk(a.needsFullState(B, b.clock));
});
