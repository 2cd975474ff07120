import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import t from 'tap';
import { ClientFrameSchema, ServerFrameSchema } from '../../proto/index.js';
import {
  type DecodeResult,
  decodeBinaryFrame,
  MAX_REF_LENGTH,
  type WireErrorCode,
} from '../../proto/wire/index.js';

type Init = Parameters<typeof create<typeof ClientFrameSchema>>[1];
const pb = (init: Init): Uint8Array => toBinary(ClientFrameSchema, create(ClientFrameSchema, init));

function frameOf(r: DecodeResult): unknown {
  return r.ok ? r.frame : r.error.toJSON();
}

t.test('decode binary frame - every op', async (t) => {
  t.same(frameOf(decodeBinaryFrame(pb({ op: { case: 'ping', value: {} } }))), { op: 'ping' });
  t.same(frameOf(decodeBinaryFrame(pb({ ref: 'x', op: { case: 'ping', value: {} } }))), {
    op: 'ping',
    ref: 'x',
  });
  t.same(frameOf(decodeBinaryFrame(pb({ op: { case: 'leave', value: { room: 'r' } } }))), {
    op: 'leave',
    room: 'r',
  });
  t.same(frameOf(decodeBinaryFrame(pb({ op: { case: 'refresh', value: { token: 'tk' } } }))), {
    op: 'refresh',
    token: 'tk',
  });
  const join = pb({
    ref: 'j',
    op: {
      case: 'join',
      value: {
        room: 'lobby',
        meta: { a: [1, 'b', null, { c: true }] },
        since: { epoch: 'e', offset: 7n },
      },
    },
  });
  t.same(frameOf(decodeBinaryFrame(join)), {
    op: 'join',
    ref: 'j',
    room: 'lobby',
    meta: { a: [1, 'b', null, { c: true }] },
    since: { epoch: 'e', offset: 7 },
  });
  const data = new Uint8Array([0, 1, 255]);
  const pub = decodeBinaryFrame(
    pb({ op: { case: 'publish', value: { room: 'r', data, headers: { k: 'v' }, echo: false } } }),
  );
  t.same(frameOf(pub), {
    op: 'publish',
    room: 'r',
    data,
    dataFormat: 'raw',
    headers: { k: 'v' },
    echo: false,
  });
  const echoDefault = decodeBinaryFrame(pb({ op: { case: 'publish', value: { room: 'r' } } }));
  t.same(frameOf(echoDefault), {
    op: 'publish',
    room: 'r',
    data: new Uint8Array(0),
    dataFormat: 'raw',
    headers: {},
    echo: true,
  });
});

/** A ClientFrame with `ref` first, then whatever `rest` writes. */
function handWritten(ref: string | undefined, rest: (w: BinaryWriter) => void): Uint8Array {
  const w = new BinaryWriter();
  if (ref !== undefined) w.tag(1, WireType.LengthDelimited).string(ref);
  rest(w);
  return w.finish();
}

type BadCase = [name: string, input: Uint8Array, code: WireErrorCode, ref: string | undefined];

const publish = pb({
  ref: 'a',
  op: { case: 'publish', value: { room: 'r', data: new Uint8Array(9) } },
});

const badCases: BadCase[] = [
  ['empty (no op)', new Uint8Array(0), 'bad_frame', undefined],
  ['ref only (no op)', pb({ ref: 'a' }), 'bad_frame', 'a'],
  ['truncated', publish.subarray(0, publish.length - 3), 'bad_frame', 'a'],
  ['truncated before ref ends', publish.subarray(0, 2), 'bad_frame', undefined],
  [
    'garbage',
    new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    'bad_frame',
    undefined,
  ],
  [
    'op field with wrong wire type',
    handWritten('a', (w) => w.tag(10, WireType.Varint).uint32(5)),
    'bad_frame',
    'a',
  ],
  [
    'unknown op field',
    handWritten('a', (w) => w.tag(15, WireType.LengthDelimited).bytes(new Uint8Array(0))),
    'unknown_op',
    'a',
  ],
  [
    'a ServerFrame error is not a client op',
    toBinary(
      ServerFrameSchema,
      create(ServerFrameSchema, { op: { case: 'error', value: { error: { code: 'x' } } } }),
    ),
    'unknown_op',
    undefined,
  ],
  [
    'invalid UTF-8 in room',
    handWritten('a', (w) =>
      w.tag(11, WireType.LengthDelimited).bytes(new Uint8Array([10, 2, 0xff, 0xfe])),
    ),
    'bad_frame',
    'a',
  ],
  ['missing room', pb({ ref: 'a', op: { case: 'join', value: {} } }), 'bad_frame', 'a'],
  [
    'huge ref',
    pb({ ref: 'r'.repeat(MAX_REF_LENGTH + 1), op: { case: 'ping', value: {} } }),
    'bad_frame',
    undefined,
  ],
  [
    'since offset over 2^53',
    pb({
      ref: 'a',
      op: { case: 'join', value: { room: 'r', since: { epoch: 'e', offset: 2n ** 60n } } },
    }),
    'bad_frame',
    'a',
  ],
  [
    'since without epoch',
    pb({ ref: 'a', op: { case: 'join', value: { room: 'r', since: { offset: 1n } } } }),
    'bad_frame',
    'a',
  ],
  [
    'non-finite number in meta',
    pb({ ref: 'a', op: { case: 'join', value: { room: 'r', meta: { x: Number.NaN } } } }),
    'bad_frame',
    'a',
  ],
  [
    'reserved header',
    pb({ ref: 'a', op: { case: 'publish', value: { room: 'r', headers: { 'x-arq-x': '1' } } } }),
    'bad_frame',
    'a',
  ],
  [
    'header value too long',
    pb({
      ref: 'a',
      op: { case: 'publish', value: { room: 'r', headers: { k: 'v'.repeat(5000) } } },
    }),
    'bad_frame',
    'a',
  ],
  ['refresh without token', pb({ ref: 'a', op: { case: 'refresh', value: {} } }), 'bad_frame', 'a'],
];

t.test('decode binary frame - bad inputs map to wire codes and keep ref', async (t) => {
  for (const [name, input, code, ref] of badCases) {
    const r = decodeBinaryFrame(input);
    t.equal(r.ok, false, name);
    if (r.ok) continue;
    t.equal(r.error.code, code, `${name}: code`);
    t.equal(r.ref, ref, `${name}: ref`);
  }
});

t.test('decode binary frame - two ops in one frame: the last wins, as protobuf says', async (t) => {
  const both = new Uint8Array([
    ...pb({ op: { case: 'leave', value: { room: 'a' } } }),
    ...pb({ op: { case: 'ping', value: {} } }),
  ]);
  t.same(frameOf(decodeBinaryFrame(both)), { op: 'ping' });
});

t.test('decode binary frame - unknown non-op fields are ignored', async (t) => {
  const bytes = handWritten('a', (w) => {
    w.tag(5, WireType.Varint).uint32(1);
    w.tag(13, WireType.LengthDelimited).bytes(new Uint8Array(0)); // ping
  });
  t.same(frameOf(decodeBinaryFrame(bytes)), { op: 'ping', ref: 'a' });
});

t.test('decode binary frame - data is a copy, not a view into the input', async (t) => {
  const source = pb({
    op: { case: 'publish', value: { room: 'r', data: new Uint8Array([1, 2, 3]) } },
  });
  const r = decodeBinaryFrame(source);
  source.fill(0); // uWS reuses its buffer after the handler returns
  t.same(r.ok && r.frame.op === 'publish' && r.frame.data, new Uint8Array([1, 2, 3]));
});
