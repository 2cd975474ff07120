import fc from 'fast-check';
import t from 'tap';
import { CausalContext } from '../../../actors/presence/index.js';

t.test('causal context - one range is a contiguous clock', async (t) => {
  const ctx = CausalContext.empty();
  t.ok(ctx.isEmpty);
  t.equal(ctx.contiguous, 0);
  t.notOk(ctx.hasGaps);
  for (let d = 1; d <= 5; d++) ctx.add(d);
  t.same(ctx.ranges(), [[1, 5]]);
  t.equal(ctx.contiguous, 5);
  t.equal(ctx.max, 5);
  t.notOk(ctx.hasGaps);
});

t.test('causal context - dots past a hole are a cloud and a gap', async (t) => {
  const ctx = CausalContext.fromRanges([
    [1, 3],
    [7, 8],
  ]);
  t.equal(ctx.contiguous, 3);
  t.equal(ctx.max, 8);
  t.ok(ctx.hasGaps);
  t.notOk(ctx.has(5));
  ctx.union(CausalContext.fromRanges([[4, 6]]));
  t.same(ctx.ranges(), [[1, 8]], 'filling the hole joins the ranges');
  t.notOk(ctx.hasGaps);
  t.ok(CausalContext.fromRanges([[2, 2]]).hasGaps, 'dot 1 missing is a gap too');
});

t.test('causal context - normalises ranges given in any order', async (t) => {
  const ctx = CausalContext.fromRanges([
    [9, 9],
    [1, 2],
    [3, 4],
    [2, 6],
  ]);
  t.same(ctx.ranges(), [
    [1, 6],
    [9, 9],
  ]);
  t.equal(ctx.size, 7);
  t.same([...ctx.dots()], [1, 2, 3, 4, 5, 6, 9]);
});

const op = fc.oneof(
  fc.record({ type: fc.constant('add' as const), dot: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    type: fc.constant('union' as const),
    ranges: fc.array(
      fc
        .tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 5 }))
        .map(([first, len]): [number, number] => [first, first + len]),
      { maxLength: 4 },
    ),
  }),
);

t.test('causal context - behaves as a set of dots with canonical ranges', async (t) => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      const ctx = CausalContext.empty();
      const model = new Set<number>();
      for (const o of ops) {
        if (o.type === 'add') {
          ctx.add(o.dot);
          model.add(o.dot);
        } else {
          ctx.union(CausalContext.fromRanges(o.ranges));
          for (const [first, last] of o.ranges) for (let d = first; d <= last; d++) model.add(d);
        }
      }
      const sorted = [...model].sort((a, b) => a - b);
      if (JSON.stringify([...ctx.dots()]) !== JSON.stringify(sorted)) return false;
      for (let d = 0; d <= 50; d++) if (ctx.has(d) !== model.has(d)) return false;
      let contiguous = 0;
      while (model.has(contiguous + 1)) contiguous++;
      const ranges = ctx.ranges();
      const canonical = ranges.every(
        ([first, last], i) => first <= last && (i === 0 || first > ranges[i - 1]![1] + 1),
      );
      return (
        canonical &&
        ctx.size === model.size &&
        ctx.contiguous === contiguous &&
        ctx.max === (sorted.at(-1) ?? 0) &&
        ctx.hasGaps === model.size > contiguous
      );
    }),
    { numRuns: 300 },
  );
  t.pass('300 random histories matched a Set model');
});

t.test('causal context - clone is independent', async (t) => {
  const a = CausalContext.fromRanges([[1, 2]]);
  const b = a.clone();
  b.add(3);
  t.same(a.ranges(), [[1, 2]]);
  t.same(b.ranges(), [[1, 3]]);
});
