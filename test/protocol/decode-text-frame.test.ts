import t from 'tap';
import {
  type ClientFrame,
  type DecodeResult,
  decodeTextFrame,
  decodeTextFrameBytes,
  MAX_HEADERS,
  MAX_META_DEPTH,
  MAX_REF_LENGTH,
  type WireErrorBody,
  type WireErrorCode,
} from '../../proto/wire/index.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The frame, or the error (which then fails the comparison, showing why). */
function frameOf(r: DecodeResult): ClientFrame | WireErrorBody {
  return r.ok ? r.frame : r.error.toJSON();
}

t.test('decode text frame - every op', async (t) => {
  t.same(frameOf(decodeTextFrame('{"op":"ping"}')), { op: 'ping' });
  t.same(frameOf(decodeTextFrame('{"op":"ping","ref":"1"}')), { op: 'ping', ref: '1' });
  t.same(frameOf(decodeTextFrame('{"op":"leave","ref":"2","room":"chat.a"}')), {
    op: 'leave',
    ref: '2',
    room: 'chat.a',
  });
  t.same(frameOf(decodeTextFrame('{"op":"refresh","token":"abc.def.ghi"}')), {
    op: 'refresh',
    token: 'abc.def.ghi',
  });
  t.same(
    frameOf(
      decodeTextFrame(
        '{"op":"join","room":"lobby","meta":{"name":"Ann","n":[1,{"x":null}]},"since":{"epoch":"e1","offset":42}}',
      ),
    ),
    {
      op: 'join',
      room: 'lobby',
      meta: { name: 'Ann', n: [1, { x: null }] },
      since: { epoch: 'e1', offset: 42 },
    },
  );
  t.same(
    frameOf(decodeTextFrame('{"op":"join","room":"lobby","since":{"ts":1700000000123}}')),
    { op: 'join', room: 'lobby', since: { ts: 1_700_000_000_123 } },
    'since by time',
  );
  const pub = frameOf(
    decodeTextFrame(
      '{"op":"publish","ref":"p","room":"r","data":{"big":12345678901234567890, "s":"\\u00e9"},"headers":{"x-twist-id":"t1"},"echo":false}',
    ),
  );
  t.equal('op' in pub && pub.op, 'publish');
  if (!('op' in pub) || pub.op !== 'publish') return;
  t.equal(
    text(pub.data),
    '{"big":12345678901234567890, "s":"\\u00e9"}',
    'the data text is the client own, byte for byte',
  );
  t.equal(pub.dataFormat, 'json');
  t.same(pub.headers, { 'x-twist-id': 't1' });
  t.equal(pub.echo, false);
  t.equal(pub.ref, 'p');
});

t.test('decode text frame - defaults and null optionals', async (t) => {
  const pub = frameOf(decodeTextFrame('{"op":"publish","room":"r","data":null}'));
  t.equal('op' in pub && pub.op, 'publish');
  if (!('op' in pub) || pub.op !== 'publish') return;
  t.equal(text(pub.data), 'null', 'null is a value for data');
  t.same(pub.headers, {});
  t.equal(pub.echo, true);
  t.notOk('ref' in pub);
  t.same(
    frameOf(
      decodeTextFrame('{"op":"join","room":"a","ref":null,"meta":null,"since":null,"extra":1}'),
    ),
    { op: 'join', room: 'a' },
  );
  const pub2 = frameOf(
    decodeTextFrame('{"op":"publish","room":"r","data":"x","headers":null,"echo":null}'),
  );
  t.equal('op' in pub2 && pub2.op, 'publish');
  if (!('op' in pub2) || pub2.op !== 'publish') return;
  t.equal(pub2.echo, true);
});

type BadCase = [name: string, input: string, code: WireErrorCode, ref: string | undefined];

const longRef = 'r'.repeat(MAX_REF_LENGTH + 1);
const tooManyHeaders = JSON.stringify(
  Object.fromEntries(Array.from({ length: MAX_HEADERS + 1 }, (_, i) => [`h${i}`, 'v'])),
);
const deepMeta = `${'{"a":'.repeat(MAX_META_DEPTH + 1)}1${'}'.repeat(MAX_META_DEPTH + 1)}`;

const badCases: BadCase[] = [
  ['not JSON', '{"op":', 'bad_frame', undefined],
  ['empty', '', 'bad_frame', undefined],
  ['a number', '42', 'bad_frame', undefined],
  ['a string', '"ping"', 'bad_frame', undefined],
  ['null', 'null', 'bad_frame', undefined],
  ['an array', '[{"op":"ping"}]', 'bad_frame', undefined],
  ['lone surrogate', '{"op":"ping","ref":"a\ud800"}', 'bad_frame', undefined],
  ['escaped lone surrogate ref', '{"op":"ping","ref":"a\\ud800"}', 'bad_frame', undefined],
  ['missing op', '{"ref":"a"}', 'bad_frame', 'a'],
  ['op not a string', '{"op":1,"ref":"a"}', 'bad_frame', 'a'],
  ['unknown op', '{"op":"subscribe","ref":"a","room":"x"}', 'unknown_op', 'a'],
  ['op case matters', '{"op":"PING","ref":"a"}', 'unknown_op', 'a'],
  ['ref a number', '{"op":"ping","ref":5}', 'bad_frame', undefined],
  ['ref empty', '{"op":"ping","ref":""}', 'bad_frame', undefined],
  ['huge ref', `{"op":"ping","ref":"${longRef}"}`, 'bad_frame', undefined],
  ['missing room', '{"op":"join","ref":"a"}', 'bad_frame', 'a'],
  ['number as room', '{"op":"join","ref":"a","room":7}', 'bad_frame', 'a'],
  ['empty room', '{"op":"leave","ref":"a","room":""}', 'bad_frame', 'a'],
  ['array as room', '{"op":"publish","ref":"a","room":["x"],"data":1}', 'bad_frame', 'a'],
  ['meta an array', '{"op":"join","ref":"a","room":"r","meta":[1]}', 'bad_frame', 'a'],
  ['meta a string', '{"op":"join","ref":"a","room":"r","meta":"m"}', 'bad_frame', 'a'],
  ['meta too deep', `{"op":"join","ref":"a","room":"r","meta":${deepMeta}}`, 'bad_frame', 'a'],
  ['since a number', '{"op":"join","ref":"a","room":"r","since":3}', 'bad_frame', 'a'],
  [
    'since without epoch',
    '{"op":"join","ref":"a","room":"r","since":{"offset":1}}',
    'bad_frame',
    'a',
  ],
  ['since negative ts', '{"op":"join","ref":"a","room":"r","since":{"ts":-5}}', 'bad_frame', 'a'],
  [
    'since fractional ts',
    '{"op":"join","ref":"a","room":"r","since":{"ts":1.5}}',
    'bad_frame',
    'a',
  ],
  [
    'since negative offset',
    '{"op":"join","ref":"a","room":"r","since":{"epoch":"e","offset":-1}}',
    'bad_frame',
    'a',
  ],
  [
    'since fractional offset',
    '{"op":"join","ref":"a","room":"r","since":{"epoch":"e","offset":1.5}}',
    'bad_frame',
    'a',
  ],
  [
    'since unsafe offset',
    '{"op":"join","ref":"a","room":"r","since":{"epoch":"e","offset":9007199254740993}}',
    'bad_frame',
    'a',
  ],
  ['publish without data', '{"op":"publish","ref":"a","room":"r"}', 'bad_frame', 'a'],
  [
    'headers an array',
    '{"op":"publish","ref":"a","room":"r","data":1,"headers":[]}',
    'bad_frame',
    'a',
  ],
  [
    'header value a number',
    '{"op":"publish","ref":"a","room":"r","data":1,"headers":{"k":1}}',
    'bad_frame',
    'a',
  ],
  [
    'header value too long',
    `{"op":"publish","ref":"a","room":"r","data":1,"headers":{"k":"${'v'.repeat(2000)}"}}`,
    'bad_frame',
    'a',
  ],
  [
    'header name empty',
    '{"op":"publish","ref":"a","room":"r","data":1,"headers":{"":"v"}}',
    'bad_frame',
    'a',
  ],
  [
    'too many headers',
    `{"op":"publish","ref":"a","room":"r","data":1,"headers":${tooManyHeaders}}`,
    'bad_frame',
    'a',
  ],
  [
    'reserved header',
    '{"op":"publish","ref":"a","room":"r","data":1,"headers":{"X-Arq-Data-Encoding":"base64"}}',
    'bad_frame',
    'a',
  ],
  ['echo a string', '{"op":"publish","ref":"a","room":"r","data":1,"echo":"no"}', 'bad_frame', 'a'],
  ['refresh without token', '{"op":"refresh","ref":"a"}', 'bad_frame', 'a'],
  ['refresh token a number', '{"op":"refresh","ref":"a","token":1}', 'bad_frame', 'a'],
];

t.test('decode text frame - bad inputs map to wire codes and keep ref', async (t) => {
  for (const [name, input, code, ref] of badCases) {
    const r = decodeTextFrame(input);
    t.equal(r.ok, false, name);
    if (r.ok) continue;
    t.equal(r.error.code, code, `${name}: code`);
    t.equal(r.ref, ref, `${name}: ref`);
    t.ok(r.error.message.length > 0, `${name}: has a message`);
  }
});

t.test('decode text frame - messages name the field', async (t) => {
  const room = decodeTextFrame('{"op":"join","room":7}');
  t.match(!room.ok && room.error.message, /"room".*got 7/);
  const header = decodeTextFrame('{"op":"publish","room":"r","data":1,"headers":{"k":true}}');
  t.match(!header.ok && header.error.message, /header "k"/);
  const since = decodeTextFrame('{"op":"join","room":"r","since":{"epoch":"e","offset":"1"}}');
  t.match(!since.ok && since.error.message, /since\.offset/);
  const op = decodeTextFrame('{"op":"nope"}');
  t.match(!op.ok && op.error.message, /unknown op "nope"/);
  const long = decodeTextFrame(JSON.stringify({ op: 'x'.repeat(10_000) }));
  t.ok(!long.ok && long.error.message.length < 100, 'a long unknown op is not echoed whole');
});

t.test('decode text frame - raw bytes: UTF-8 required', async (t) => {
  const ok = decodeTextFrameBytes(bytes('{"op":"ping","ref":"é"}'));
  t.same(ok.ok && ok.frame, { op: 'ping', ref: 'é' });
  const bad = decodeTextFrameBytes(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
  t.equal(bad.ok, false);
  if (!bad.ok) {
    t.equal(bad.error.code, 'bad_frame');
    t.match(bad.error.message, /UTF-8/);
  }
});

t.test('decode text frame - raw bytes: data is a copy, ASCII or not', async (t) => {
  for (const data of ['{"a":[1,2,"x"]}', '{"a":"héllo €"}']) {
    const source = bytes(`{"op":"publish","room":"r","data":${data}}`);
    const r = decodeTextFrameBytes(source);
    t.ok(r.ok && r.frame.op === 'publish', data);
    if (!r.ok || r.frame.op !== 'publish') continue;
    t.equal(text(r.frame.data), data);
    source.fill(0); // uWS reuses its buffer after the handler returns
    t.equal(text(r.frame.data), data, 'unaffected by later writes to the source');
  }
});
