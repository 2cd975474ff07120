import fc from 'fast-check';
import t from 'tap';
import {
  CLIENT_OPS,
  type ClientFrame,
  type DecodeResult,
  decodeBinaryFrame,
  decodeTextFrame,
  decodeTextFrameBytes,
  encodeClientBinaryFrame,
  encodeClientTextFrame,
  MAX_REF_LENGTH,
  WireError,
} from '../../proto/wire/index.js';

// Decoders may only answer a frame with these: anything else (`internal`) would be a decoder bug.
const DECODE_CODES = new Set(['bad_frame', 'unknown_op']);

/** The decoder contract for any input: no throw; a checked failure or a frame that re-encodes. */
function holds(decode: () => DecodeResult, reencode: (f: ClientFrame) => DecodeResult): boolean {
  const r = decode();
  outcomes[r.ok ? 'ok' : r.error.code] = (outcomes[r.ok ? 'ok' : r.error.code] ?? 0) + 1;
  if (!r.ok) {
    if (!(r.error instanceof WireError) || !DECODE_CODES.has(r.error.code)) return false;
    if (r.error.message === '') return false;
    return r.ref === undefined || (r.ref.length > 0 && r.ref.length <= MAX_REF_LENGTH);
  }
  // A decoded frame is well formed: encoding it again gives the same frame.
  const again = reencode(r.frame);
  return again.ok && fc.stringify(again.frame) === fc.stringify(r.frame);
}

/** Counts of results per run, to check that the generators reach both sides of the decoders. */
let outcomes: Record<string, number> = {};
t.beforeEach(() => {
  outcomes = {};
});

const viaText = (f: ClientFrame): DecodeResult => decodeTextFrame(encodeClientTextFrame(f));
const viaBinary = (f: ClientFrame): DecodeResult => decodeBinaryFrame(encodeClientBinaryFrame(f));

// Any UTF-16 code unit, lone surrogates included.
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyString = fc.string({ unit: anyUnit, maxLength: 40 });

const opArb = fc.oneof(
  { arbitrary: fc.constantFrom(...CLIENT_OPS), weight: 4 },
  fc.string({ maxLength: 8 }),
  fc.anything(),
);
const valueArb = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z.]{1,8}$/), weight: 4 },
  fc.string({ maxLength: 10 }),
  anyString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 4 }),
);
/** Frame-shaped objects with fields of random types, to get past the first checks. */
const frameLike = fc.record(
  {
    op: opArb,
    ref: valueArb,
    room: valueArb,
    data: fc.jsonValue({ maxDepth: 3 }),
    headers: valueArb,
    echo: fc.oneof(fc.boolean(), valueArb),
    meta: valueArb,
    since: fc.oneof(
      valueArb,
      fc.record({ epoch: valueArb, offset: fc.oneof(fc.double(), valueArb) }),
    ),
    token: valueArb,
  },
  { requiredKeys: [] },
);

t.test('decode fuzz - random strings never break the text decoder', async (t) => {
  fc.assert(
    fc.property(anyString, (s) => holds(() => decodeTextFrame(s), viaText)),
    { numRuns: 2000 },
  );
  t.pass('held');
});

t.test('decode fuzz - random JSON values and frame-like objects', async (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), frameLike), (v) => {
      const text = JSON.stringify(v) ?? 'undefined';
      return holds(() => decodeTextFrame(text), viaText);
    }),
    { numRuns: 3000 },
  );
  t.ok((outcomes.ok ?? 0) > 10, `some frames decode (${JSON.stringify(outcomes)})`);
  t.ok((outcomes.bad_frame ?? 0) > 100, 'some are bad frames');
  t.ok((outcomes.unknown_op ?? 0) > 10, 'some have unknown ops');
});

t.test('decode fuzz - random bytes never break either decoder', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      return (
        holds(() => decodeBinaryFrame(bytes), viaBinary) &&
        holds(() => decodeTextFrameBytes(bytes), viaText)
      );
    }),
    { numRuns: 3000 },
  );
  t.pass('held');
});

const validFrames: ClientFrame[] = [
  { op: 'ping', ref: 'abc' },
  {
    op: 'join',
    ref: 'j',
    room: 'lobby',
    meta: { a: [1, { b: 'c' }] },
    since: { epoch: 'e', offset: 300 },
  },
  {
    op: 'publish',
    ref: 'p',
    room: 'r.s',
    data: new TextEncoder().encode('{"k":[1,2,3]}'),
    dataFormat: 'json',
    headers: { a: 'b', traceparent: 'x' },
    echo: false,
  },
  { op: 'refresh', ref: 'f', token: 'aaa.bbb.ccc' },
  { op: 'leave', room: 'x' },
];

type Mutation = { kind: 'flip' | 'insert' | 'delete' | 'truncate'; at: number; byte: number };
const mutationArb = fc.record({
  kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
}) as fc.Arbitrary<Mutation>;

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = Array.from(bytes);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'flip') out[at] = m.byte;
    else if (m.kind === 'insert') out.splice(at, 0, m.byte);
    else if (m.kind === 'delete') out.splice(at, 1);
    else out = out.slice(0, at);
  }
  return new Uint8Array(out);
}

t.test('decode fuzz - mutated valid frames, both encodings', async (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(...validFrames),
      fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
      (frame, mutations) => {
        const binary = mutate(encodeClientBinaryFrame(frame), mutations);
        const text = mutate(new TextEncoder().encode(encodeClientTextFrame(frame)), mutations);
        return (
          holds(() => decodeBinaryFrame(binary), viaBinary) &&
          holds(() => decodeTextFrameBytes(text), viaText)
        );
      },
    ),
    { numRuns: 3000 },
  );
  t.ok((outcomes.ok ?? 0) > 10, `some mutants still decode (${JSON.stringify(outcomes)})`);
});
