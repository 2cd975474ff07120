import fc from 'fast-check';
import t from 'tap';
import {
  formatIncarnation,
  PresenceError,
  PresenceState,
  parsePresenceDelta,
} from '../../../actors/presence/index.js';
import { arbReplicaState } from './fixtures/presence-fixtures.js';

const B = { node: 'node-b', incarnation: formatIncarnation(2_000, 'b') };
const entry = {
  clock: 1,
  topic: 't.acme.r.lobby',
  key: 'alice',
  conn: 'c1',
  onlineAt: 5,
  meta: {},
};
const good = { ...B, context: [[1, 2]], covers: [[2, 2]], entries: [entry] };

t.test('parse presence delta - a delta survives JSON and parses to itself', async (t) => {
  const a = new PresenceState({ replica: B });
  a.join('t.acme.r.lobby', 'alice', 'c1', { status: 'here', tags: ['x', 1, null] }, 10);
  a.join('t.acme.r.game', 'alice', 'c1', {}, 11);
  a.leave('t.acme.r.game', 'c1');
  const delta = a.takeDelta()!;
  t.same(parsePresenceDelta(JSON.parse(JSON.stringify(delta))), delta);
  fc.assert(
    fc.property(arbReplicaState(B), (d) => {
      const parsed = parsePresenceDelta(JSON.parse(JSON.stringify(d)));
      return JSON.stringify(parsed) === JSON.stringify(d);
    }),
  );
});

t.test('parse presence delta - normalises context and entry order', async (t) => {
  const parsed = parsePresenceDelta({
    ...B,
    context: [
      [4, 5],
      [1, 3],
    ],
    covers: [
      [5, 5],
      [3, 4],
    ],
    entries: [
      { ...entry, clock: 5 },
      { ...entry, clock: 2 },
    ],
    extra: 'ignored',
  });
  t.same(parsed.context, [[1, 5]]);
  t.same(parsed.covers, [[3, 5]]);
  t.same(
    parsed.entries.map((e) => e.clock),
    [2, 5],
  );
  t.notOk('extra' in parsed);
});

const malformed: [string, unknown, RegExp][] = [
  ['not an object', 'hello', /payload must be an object/],
  ['null', null, /payload must be an object/],
  ['no node', { ...good, node: undefined }, /node must be a non-empty string/],
  ['empty incarnation', { ...good, incarnation: '' }, /incarnation must be a non-empty string/],
  ['context not an array', { ...good, context: { 0: [1, 2] } }, /context must be an array/],
  ['range of three', { ...good, context: [[1, 2, 3]] }, /context\[0\] must be a \[first, last\]/],
  ['range backwards', { ...good, context: [[3, 1]] }, /first <= last/],
  ['clock zero', { ...good, context: [[0, 2]] }, /context\[0\]\[0\] must be a positive/],
  ['fractional clock', { ...good, context: [[1, 2.5]] }, /positive safe integer/],
  ['unsafe clock', { ...good, context: [[1, 2 ** 60]] }, /positive safe integer/],
  ['covers missing', { ...good, covers: undefined }, /covers must be an array/],
  ['covers backwards', { ...good, covers: [[2, 1]] }, /covers\[0\] must have first <= last/],
  [
    'covers outside context',
    { ...good, covers: [[2, 3]] },
    /covers\[0\] .* inside the delta's context/,
  ],
  ['entries missing', { ...good, entries: undefined }, /entries must be an array/],
  ['entry not object', { ...good, entries: [7] }, /entries\[0\] must be an object/],
  ['entry outside context', { ...good, entries: [{ ...entry, clock: 3 }] }, /outside/],
  ['duplicate dot', { ...good, entries: [entry, entry] }, /appears twice/],
  ['empty topic', { ...good, entries: [{ ...entry, topic: '' }] }, /entries\[0\]\.topic/],
  ['numeric key', { ...good, entries: [{ ...entry, key: 1 }] }, /entries\[0\]\.key/],
  ['no conn', { ...good, entries: [{ ...entry, conn: undefined }] }, /entries\[0\]\.conn/],
  ['NaN onlineAt', { ...good, entries: [{ ...entry, onlineAt: Number.NaN }] }, /onlineAt/],
  ['meta array', { ...good, entries: [{ ...entry, meta: [] }] }, /meta must be a plain JSON/],
  ['meta null', { ...good, entries: [{ ...entry, meta: null }] }, /meta must be a plain JSON/],
  [
    'meta with a function',
    { ...good, entries: [{ ...entry, meta: { f: () => 1 } }] },
    /not JSON \(function\)/,
  ],
  [
    'meta with a date',
    { ...good, entries: [{ ...entry, meta: { d: new Date(0) } }] },
    /not JSON \(object\)/,
  ],
  [
    'meta with Infinity',
    { ...good, entries: [{ ...entry, meta: { x: [Number.POSITIVE_INFINITY] } }] },
    /non-finite/,
  ],
];

t.test('parse presence delta - rejects malformed input with a typed error', async (t) => {
  for (const [what, input, message] of malformed) {
    t.throws(
      () => parsePresenceDelta(input),
      { code: 'ARQ_ERR_PRESENCE_MALFORMED', message },
      what,
    );
  }
});

t.test('parse presence delta - rejects too deep or cyclic meta', async (t) => {
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < 100; i++) deep = { d: deep };
  t.throws(() => parsePresenceDelta({ ...good, entries: [{ ...entry, meta: deep }] }), {
    code: 'ARQ_ERR_PRESENCE_MALFORMED',
    message: /nested deeper/,
  });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  t.throws(() => parsePresenceDelta({ ...good, entries: [{ ...entry, meta: cyclic }] }), {
    code: 'ARQ_ERR_PRESENCE_MALFORMED',
  });
});

t.test('parse presence delta - a throwing getter is a typed error too', async (t) => {
  const hostile = {
    ...good,
    get entries(): unknown {
      throw new RangeError('boom');
    },
  };
  const err = t.throws(() => parsePresenceDelta(hostile), PresenceError) as PresenceError;
  t.equal(err.code, 'ARQ_ERR_PRESENCE_MALFORMED');
  t.type(err.cause, RangeError, 'the cause is kept');
});

t.test('parse presence delta - random input never throws anything but PresenceError', async (t) => {
  const anyDelta = fc.record(
    {
      node: fc.oneof(fc.string(), fc.anything()),
      incarnation: fc.oneof(fc.string(), fc.anything()),
      context: fc.oneof(fc.array(fc.array(fc.integer({ min: -2, max: 5 }))), fc.anything()),
      covers: fc.oneof(fc.array(fc.array(fc.integer({ min: -2, max: 5 }))), fc.anything()),
      entries: fc.oneof(
        fc.array(
          fc.record(
            {
              clock: fc.oneof(fc.integer({ min: -1, max: 6 }), fc.anything()),
              topic: fc.oneof(fc.string(), fc.anything()),
              key: fc.string(),
              conn: fc.string(),
              onlineAt: fc.oneof(fc.double(), fc.anything()),
              meta: fc.oneof(fc.object(), fc.anything()),
            },
            { requiredKeys: [] },
          ),
        ),
        fc.anything(),
      ),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(fc.oneof(anyDelta, fc.anything()), (input) => {
      try {
        parsePresenceDelta(input);
      } catch (err) {
        return err instanceof PresenceError && err.code === 'ARQ_ERR_PRESENCE_MALFORMED';
      }
      return true;
    }),
    { numRuns: 1000 },
  );
  t.pass('1000 random inputs: each parsed or was refused with ARQ_ERR_PRESENCE_MALFORMED');
});
