import fc from 'fast-check';
import t from 'tap';
import {
  compareIncarnations,
  formatIncarnation,
  PresenceError,
  replicaKey,
  sameReplica,
} from '../../../actors/presence/index.js';

t.test('replica - incarnations sort in start order', async (t) => {
  fc.assert(
    fc.property(
      fc.nat(),
      fc.nat(),
      fc.string({ maxLength: 6 }),
      fc.string({ maxLength: 6 }),
      (t1, t2, n1, n2) => {
        fc.pre(t1 !== t2);
        const order = compareIncarnations(formatIncarnation(t1, n1), formatIncarnation(t2, n2));
        return Math.sign(order) === Math.sign(t1 - t2);
      },
    ),
  );
  t.equal(compareIncarnations('a', 'a'), 0);
  t.ok(compareIncarnations(formatIncarnation(9, 'x'), formatIncarnation(10, 'a')) < 0);
  t.ok(
    compareIncarnations(formatIncarnation(Number.MAX_SAFE_INTEGER, ''), formatIncarnation(0, 'z')) >
      0,
  );
});

t.test('replica - rejects a start time that is not a safe integer', async (t) => {
  t.throws(() => formatIncarnation(-1, 'x'), PresenceError);
  t.throws(() => formatIncarnation(1.5, 'x'), { code: 'ARQ_ERR_PRESENCE_ARGUMENT' });
});

t.test('replica - keys and equality', async (t) => {
  const a = { node: 'n1', incarnation: 'i1' };
  t.ok(sameReplica(a, { node: 'n1', incarnation: 'i1' }));
  t.notOk(sameReplica(a, { node: 'n1', incarnation: 'i2' }));
  t.not(replicaKey({ node: 'a', incarnation: 'bc' }), replicaKey({ node: 'ab', incarnation: 'c' }));
});
