import assert from 'node:assert/strict';
import fc from 'fast-check';
import t from 'tap';
import { formatIncarnation } from '../../../actors/presence/index.js';
import { ReplicaStore } from '../../../actors/presence/replica-store.js';
import { arbReplicaState, universeEntry } from './fixtures/presence-fixtures.js';

const B = { node: 'node-b', incarnation: formatIncarnation(2_000, 'b') };
const state = arbReplicaState(B);
const clocks = (store: ReplicaStore) => new Set([...store.entries()].map((e) => e.clock));

t.test('replica store - join reports exactly what appeared and what went away', async (t) => {
  fc.assert(
    fc.property(state, state, (a, b) => {
      const store = ReplicaStore.fromDelta(a);
      const before = clocks(store);
      const { added, removed } = store.join(b);
      const after = clocks(store);
      const sorted = (xs: Iterable<number>) => [...xs].sort((x, y) => x - y);
      assert.deepStrictEqual(
        sorted(added.map((e) => e.clock)),
        sorted([...after].filter((c) => !before.has(c))),
      );
      assert.deepStrictEqual(
        sorted(removed.map((e) => e.clock)),
        sorted([...before].filter((c) => !after.has(c))),
      );
    }),
    { numRuns: 300 },
  );
  t.pass('added = after \\ before and removed = before \\ after on 300 random pairs');
});

t.test('replica store - a seen dot is never added back, a removed dot removes', async (t) => {
  const store = new ReplicaStore(B);
  const e1 = { ...universeEntry(1), node: B.node, incarnation: B.incarnation };
  store.insert(e1);
  store.remove(1);
  t.same(store.toDelta(), { ...B, context: [[1, 1]], covers: [[1, 1]], entries: [] });
  // The join delta of dot 1 arriving late does not bring it back.
  const late = store.join({
    ...B,
    context: [[1, 1]],
    covers: [[1, 1]],
    entries: [universeEntry(1)],
  });
  t.same(late, { added: [], removed: [] });
  t.equal(store.size, 0);

  const other = ReplicaStore.fromDelta({
    ...B,
    context: [[1, 2]],
    covers: [[1, 2]],
    entries: [universeEntry(2)],
  });
  const changes = other.join({
    ...B,
    context: [[2, 3]],
    covers: [[3, 3]],
    entries: [universeEntry(3)],
  });
  t.same(
    changes.removed.map((e) => e.clock),
    [2],
  );
  t.same(
    changes.added.map((e) => e.clock),
    [3],
  );
  t.same(other.context.ranges(), [[1, 3]]);
  t.same(other.covered.ranges(), [[1, 3]]);
});

t.test(
  'replica store - the writer covers the dots it spends, not the dots it removes',
  async (t) => {
    const store = new ReplicaStore(B);
    store.remove(1);
    store.spend(2);
    t.same(store.context.ranges(), [[1, 2]]);
    t.same(store.covered.ranges(), [[2, 2]]);
  },
);
