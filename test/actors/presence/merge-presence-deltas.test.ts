import assert from 'node:assert/strict';
import fc from 'fast-check';
import t from 'tap';
import {
  formatIncarnation,
  isFullState,
  mergePresenceDeltas,
  PresenceError,
  PresenceState,
  parsePresenceDelta,
} from '../../../actors/presence/index.js';
import { arbReplicaState, snapshot } from './fixtures/presence-fixtures.js';

const B = { node: 'node-b', incarnation: formatIncarnation(2_000, 'b') };
const state = arbReplicaState(B);
/** The canonical form a merge outputs (sorted entries, coalesced ranges). */
const canonical = parsePresenceDelta;

t.test('merge presence deltas - commutative', async (t) => {
  fc.assert(
    fc.property(state, state, (a, b) => {
      assert.deepStrictEqual(mergePresenceDeltas(a, b), mergePresenceDeltas(b, a));
    }),
    { numRuns: 300 },
  );
  t.pass('merge(a, b) = merge(b, a) on 300 random pairs');
});

t.test('merge presence deltas - associative', async (t) => {
  fc.assert(
    fc.property(state, state, state, (a, b, c) => {
      assert.deepStrictEqual(
        mergePresenceDeltas(mergePresenceDeltas(a, b), c),
        mergePresenceDeltas(a, mergePresenceDeltas(b, c)),
      );
    }),
    { numRuns: 300 },
  );
  t.pass('merge(merge(a, b), c) = merge(a, merge(b, c)) on 300 random triples');
});

t.test('merge presence deltas - idempotent', async (t) => {
  fc.assert(
    fc.property(state, state, (a, b) => {
      assert.deepStrictEqual(mergePresenceDeltas(a, a), canonical(a));
      const ab = mergePresenceDeltas(a, b);
      assert.deepStrictEqual(mergePresenceDeltas(ab, b), ab, 'merging b again changes nothing');
    }),
    { numRuns: 300 },
  );
  t.pass('merge(a, a) = a and merge(merge(a, b), b) = merge(a, b)');
});

t.test('merge presence deltas - a receiver in any order sees the merged payload', async (t) => {
  fc.assert(
    fc.property(fc.array(state, { minLength: 1, maxLength: 5 }), fc.nat(), (payloads, seed) => {
      const inOrder = new PresenceState({ replica: { node: 'node-a', incarnation: 'x' } });
      for (const p of payloads) inOrder.merge(p);
      // A rotation plus a duplicate: another order, and one payload twice.
      const k = seed % payloads.length;
      const shuffled = [...payloads.slice(k), ...payloads.slice(0, k), payloads[k]!];
      const other = new PresenceState({ replica: { node: 'node-c', incarnation: 'x' } });
      for (const p of shuffled) other.merge(p);
      const joined = new PresenceState({ replica: { node: 'node-d', incarnation: 'x' } });
      joined.merge(payloads.reduce(mergePresenceDeltas));
      assert.deepStrictEqual(snapshot(other), snapshot(inOrder));
      assert.deepStrictEqual(snapshot(joined), snapshot(inOrder));
    }),
    { numRuns: 200 },
  );
  t.pass('the views agree on 200 random payload sequences');
});

t.test('merge presence deltas - a payload covering clocks from 1 up is a full state', async (t) => {
  const ranges = (...rs: [number, number][]) => rs;
  const payload = (context: [number, number][], covers: [number, number][]) => ({
    ...B,
    context,
    covers,
    entries: [],
  });
  t.ok(isFullState(payload(ranges([1, 4]), ranges([1, 4]))));
  t.ok(isFullState(payload([], [])), 'a replica that wrote nothing yet');
  t.notOk(isFullState(payload(ranges([1, 4]), ranges([3, 4]))), 'a delta removing old dots');
  t.notOk(isFullState(payload(ranges([1, 4]), [])));
  t.notOk(isFullState(payload(ranges([1, 4]), ranges([1, 2], [4, 4]))));
});

t.test('merge presence deltas - refuses payloads of two replicas', async (t) => {
  const a = { ...B, context: [], covers: [], entries: [] };
  t.throws(() => mergePresenceDeltas(a, { ...a, incarnation: 'other' }), PresenceError);
  t.throws(() => mergePresenceDeltas(a, { ...a, node: 'node-z' }), {
    code: 'ARQ_ERR_PRESENCE_REPLICA_MISMATCH',
  });
});
