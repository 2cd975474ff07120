import t from 'tap';
import {
  type ClientFrame,
  type DecodeResult,
  decodeBinaryFrame,
  decodeTextFrame,
  encodeClientBinaryFrame,
  encodeClientTextFrame,
  ProtocolError,
} from '../../proto/wire/index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function frameOf(r: DecodeResult): unknown {
  return r.ok ? r.frame : r.error.toJSON();
}

/** One logical frame of every op and option, as a JSON client would have it decoded. */
const frames: ClientFrame[] = [
  { op: 'ping' },
  { op: 'ping', ref: 'p1' },
  { op: 'leave', ref: 'l', room: 'chat.a' },
  { op: 'refresh', ref: 'f', token: 'a.b.c' },
  { op: 'join', room: 'lobby' },
  {
    op: 'join',
    ref: 'j',
    room: 'game.1',
    meta: { name: 'Zoë', tags: ['a', 'b'], n: 1.5, o: { deep: [null, true] } },
    since: { epoch: 'ep-1', offset: 9007199254740991 },
  },
  {
    op: 'publish',
    ref: 'u',
    room: 'r',
    data: utf8('{"x":[1,2,{"y":"é"}]}'),
    dataFormat: 'json',
    headers: { traceparent: '00-abc-def-01', 'x-twist-id': 't' },
    echo: false,
  },
  {
    op: 'publish',
    room: 'r',
    data: utf8('"just a string"'),
    dataFormat: 'json',
    headers: {},
    echo: true,
  },
];

t.test('encode client frame - JSON round trip of every op', async (t) => {
  for (const frame of frames) {
    t.same(frameOf(decodeTextFrame(encodeClientTextFrame(frame))), frame, frame.op);
  }
});

t.test('encode client frame - protobuf round trip of every op', async (t) => {
  for (const frame of frames) {
    const expected = frame.op === 'publish' ? { ...frame, dataFormat: 'raw' } : frame;
    t.same(frameOf(decodeBinaryFrame(encodeClientBinaryFrame(frame))), expected, frame.op);
  }
});

t.test('encode client frame - JSON and protobuf decode to the same frame', async (t) => {
  for (const frame of frames) {
    const fromText = decodeTextFrame(encodeClientTextFrame(frame));
    const fromBinary = decodeBinaryFrame(encodeClientBinaryFrame(frame));
    t.ok(fromText.ok && fromBinary.ok, frame.op);
    if (!fromText.ok || !fromBinary.ok) continue;
    if (fromText.frame.op === 'publish' && fromBinary.frame.op === 'publish') {
      // documented difference: the same bytes, but JSON-origin bytes are known JSON
      t.same(fromBinary.frame.data, fromText.frame.data, 'same data bytes');
      t.equal(fromText.frame.dataFormat, 'json');
      t.equal(fromBinary.frame.dataFormat, 'raw');
      t.same({ ...fromBinary.frame, dataFormat: 'json' }, fromText.frame);
    } else {
      t.same(fromBinary.frame, fromText.frame, frame.op);
    }
  }
});

t.test(
  'encode client frame - raw JSON bytes can go in a JSON frame, other bytes cannot',
  async (t) => {
    const json: ClientFrame = {
      op: 'publish',
      room: 'r',
      data: utf8('[1, 2]'),
      dataFormat: 'raw',
      headers: {},
      echo: true,
    };
    t.equal(encodeClientTextFrame(json), '{"op":"publish","room":"r","data":[1, 2]}');
    const bytes: ClientFrame = { ...json, data: new Uint8Array([0xff]) };
    t.throws(() => encodeClientTextFrame(bytes), ProtocolError);
    t.ok(decodeBinaryFrame(encodeClientBinaryFrame(bytes)).ok, 'a binary frame carries any bytes');
  },
);
