import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { base64Decode } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import t from 'tap';
import { ServerFrameSchema } from '../../proto/index.js';
import {
  DATA_ENCODING_HEADER,
  decodeBinaryFrame,
  decodeTextFrame,
  EncodedMessage,
  encodeClientBinaryFrame,
  encodeMessageFrame,
  type MessageDelivery,
} from '../../proto/wire/index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function delivery(over: Partial<MessageDelivery> = {}): MessageDelivery {
  return {
    room: 'chat.a',
    id: 'm-1',
    offset: 17,
    ts: 1_700_000_000_123,
    from: 'alice',
    data: utf8('{"text":"hi"}'),
    dataFormat: 'json',
    headers: { 'x-twist-id': 't1' },
    ...over,
  };
}

/** What protobuf-es writes for the same message: the reference for the hand-written encoder. */
function reference(d: MessageDelivery): Uint8Array {
  return toBinary(
    ServerFrameSchema,
    create(ServerFrameSchema, {
      op: {
        case: 'message',
        value: {
          room: d.room,
          id: d.id,
          offset: BigInt.asUintN(64, BigInt(d.offset)),
          ts: BigInt.asIntN(64, BigInt(d.ts)),
          from: d.from,
          data: d.data,
          headers: { ...d.headers },
        },
      },
    }),
  );
}

// Any UTF-16 code unit, lone surrogates included.
const anyString = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 20,
});
const headersArb = fc.dictionary(anyString, anyString, { maxKeys: 5 });

t.test('message frame - JSON fast encoder equals JSON.stringify of the frame', async (t) => {
  fc.assert(
    fc.property(
      anyString,
      anyString,
      fc.maxSafeNat(),
      fc.maxSafeNat(),
      anyString,
      fc.jsonValue(),
      headersArb,
      (room, id, offset, ts, from, value, headers) => {
        const d = delivery({
          room,
          id,
          offset,
          ts,
          from,
          headers,
          data: utf8(JSON.stringify(value)),
        });
        const canonical = JSON.stringify({
          op: 'message',
          room,
          id,
          offset,
          ts,
          from,
          data: value,
          headers,
        });
        return encodeMessageFrame(d, 'json') === canonical;
      },
    ),
    { numRuns: 500 },
  );
  t.pass('held');
});

t.test('message frame - JSON data text is spliced as it came, and parses', async (t) => {
  const text = encodeMessageFrame(
    delivery({ data: utf8('{ "n" : 12345678901234567890 }') }),
    'json',
  );
  t.match(text, /"data":\{ "n" : 12345678901234567890 \}/);
  t.same(JSON.parse(text), {
    op: 'message',
    room: 'chat.a',
    id: 'm-1',
    offset: 17,
    ts: 1_700_000_000_123,
    from: 'alice',
    data: { n: 12345678901234567000 },
    headers: { 'x-twist-id': 't1' },
  });
});

t.test('message frame - raw bytes: JSON text is spliced, anything else is base64', async (t) => {
  const json = JSON.parse(
    encodeMessageFrame(delivery({ data: utf8('[1,"é"]'), dataFormat: 'raw' }), 'json'),
  );
  t.same(json.data, [1, 'é']);
  t.same(json.headers, { 'x-twist-id': 't1' }, 'no marker for JSON text');
  const cases: [string, Uint8Array][] = [
    ['binary', new Uint8Array([0, 1, 2, 255])],
    ['invalid UTF-8', new Uint8Array([0x22, 0xff, 0x22])],
    ['UTF-8 but not JSON', utf8('hello')],
    ['empty', new Uint8Array(0)],
  ];
  for (const [name, data] of cases) {
    const frame = JSON.parse(encodeMessageFrame(delivery({ data, dataFormat: 'raw' }), 'json'));
    t.equal(typeof frame.data, 'string', name);
    t.same(base64Decode(frame.data), data, `${name}: base64 of the bytes`);
    t.equal(frame.headers[DATA_ENCODING_HEADER], 'base64', `${name}: marked`);
    t.equal(frame.headers['x-twist-id'], 't1', `${name}: other headers kept`);
  }
});

t.test('message frame - binary fast encoder equals protobuf-es output', async (t) => {
  fc.assert(
    fc.property(
      anyString,
      anyString,
      fc.oneof(fc.constant(0), fc.maxSafeNat()),
      fc.oneof(fc.constant(0), fc.maxSafeNat()),
      anyString,
      fc.uint8Array({ maxLength: 300 }),
      headersArb,
      (room, id, offset, ts, from, data, headers) => {
        const d = delivery({ room, id, offset, ts, from, data, headers, dataFormat: 'raw' });
        return fc.stringify(encodeMessageFrame(d, 'binary')) === fc.stringify(reference(d));
      },
    ),
    { numRuns: 500 },
  );
  t.pass('held');
});

t.test('message frame - binary frame decodes to the delivery', async (t) => {
  const d = delivery({ data: new Uint8Array(70_000).fill(7), headers: { a: 'b', ü: '€' } });
  const msg = fromBinary(ServerFrameSchema, encodeMessageFrame(d, 'binary'));
  t.equal(msg.op.case, 'message');
  if (msg.op.case !== 'message') return;
  t.equal(msg.op.value.room, d.room);
  t.equal(msg.op.value.id, d.id);
  t.equal(msg.op.value.offset, 17n);
  t.equal(msg.op.value.ts, 1_700_000_000_123n);
  t.equal(msg.op.value.from, 'alice');
  t.same(msg.op.value.data, d.data);
  t.same(msg.op.value.headers, { a: 'b', ü: '€' });
});

t.test('message frame - values outside the fast path still encode like protobuf-es', async (t) => {
  for (const d of [
    delivery({ ts: -5 }),
    delivery({ offset: 2 ** 60 }),
    delivery({ ts: 2 ** 53 }),
  ]) {
    t.same(encodeMessageFrame(d, 'binary'), reference(d));
  }
});

t.test('message frame - EncodedMessage encodes each encoding once', async (t) => {
  const m = new EncodedMessage(delivery());
  const text = m.text;
  const binary = m.binary;
  t.equal(m.text, text, 'same string');
  t.equal(m.binary, binary, 'same bytes object, not re-encoded');
  t.equal(m.encoded('json'), text);
  t.equal(m.encoded('binary'), binary);
  t.equal(text, encodeMessageFrame(delivery(), 'json'));
  t.same(binary, encodeMessageFrame(delivery(), 'binary'));
});

t.test('message frame - JSON and protobuf clients interoperate through a delivery', async (t) => {
  // JSON publisher -> protobuf receiver gets the JSON text bytes
  const fromJson = decodeTextFrame('{"op":"publish","room":"r","data":{"a":[1,2]}}');
  t.ok(fromJson.ok && fromJson.frame.op === 'publish');
  if (!fromJson.ok || fromJson.frame.op !== 'publish') return;
  const d1 = delivery({
    data: fromJson.frame.data,
    dataFormat: fromJson.frame.dataFormat,
    headers: {},
  });
  const bin = fromBinary(ServerFrameSchema, encodeMessageFrame(d1, 'binary'));
  t.equal(bin.op.case === 'message' && new TextDecoder().decode(bin.op.value.data), '{"a":[1,2]}');

  // protobuf publisher of JSON text -> JSON receiver gets the value
  const fromPb = decodeBinaryFrame(
    encodeClientBinaryFrame({
      op: 'publish',
      room: 'r',
      data: utf8('{"a":[1,2]}'),
      dataFormat: 'raw',
      headers: {},
      echo: true,
    }),
  );
  t.ok(fromPb.ok && fromPb.frame.op === 'publish');
  if (!fromPb.ok || fromPb.frame.op !== 'publish') return;
  const d2 = delivery({
    data: fromPb.frame.data,
    dataFormat: fromPb.frame.dataFormat,
    headers: {},
  });
  t.same(JSON.parse(encodeMessageFrame(d2, 'json')).data, { a: [1, 2] });
  t.equal(encodeMessageFrame(d2, 'json'), encodeMessageFrame(d1, 'json'), 'same frame either way');
});
