import t from 'tap';
import {
  ENVELOPE_HEADER_BYTES,
  type EnvelopeHeader,
  EnvelopeKind,
  HEADER_CONN_ID_OFFSET,
  HEADER_CORRELATION_ID_OFFSET,
  HEADER_FLAGS_OFFSET,
  HEADER_KEY_LENGTH_OFFSET,
  HEADER_KIND_OFFSET,
  HEADER_PAYLOAD_LENGTH_OFFSET,
  HEADER_ROOM_ID_OFFSET,
  HEADER_VALUE_OFFSET,
  isEnvelopeKind,
  RESERVED_WRAP_KIND,
  RING_DATA_OFFSET,
  SpscRing,
} from '../../src/transport/index.js';

t.test('envelope-header - fields sit at the documented offsets, native byte order', async (t) => {
  const ring = new SpscRing(SpscRing.allocate(1024));
  const header: EnvelopeHeader = {
    kind: EnvelopeKind.Presence,
    flags: 0xbeef,
    connId: 0xfedcba98,
    roomId: 0x01234567,
    correlationId: 0xffffffff,
    value: -1234.5678,
  };
  const producer = ring.producer();
  producer.tryWrite(header, new Uint8Array([1, 2, 3]), new Uint8Array([9, 8, 7, 6, 5]));
  const view = new DataView(ring.buffer, RING_DATA_OFFSET);
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  t.equal(view.getUint16(HEADER_KIND_OFFSET, le), EnvelopeKind.Presence);
  t.equal(view.getUint16(HEADER_FLAGS_OFFSET, le), 0xbeef);
  t.equal(view.getUint32(HEADER_CONN_ID_OFFSET, le), 0xfedcba98);
  t.equal(view.getUint32(HEADER_ROOM_ID_OFFSET, le), 0x01234567);
  t.equal(view.getUint32(HEADER_CORRELATION_ID_OFFSET, le), 0xffffffff);
  t.equal(view.getFloat64(HEADER_VALUE_OFFSET, le), -1234.5678);
  t.equal(view.getUint32(HEADER_KEY_LENGTH_OFFSET, le), 3);
  t.equal(view.getUint32(HEADER_PAYLOAD_LENGTH_OFFSET, le), 5);
  t.same(
    [...new Uint8Array(ring.buffer, RING_DATA_OFFSET + ENVELOPE_HEADER_BYTES, 8)],
    [1, 2, 3, 9, 8, 7, 6, 5],
    'key then payload right after the 32-byte header',
  );
});

t.test('envelope-header - every field round-trips at its extremes', async (t) => {
  const ring = new SpscRing(SpscRing.allocate(4096));
  const producer = ring.producer();
  const headers: EnvelopeHeader[] = Object.values(EnvelopeKind).map((kind, i) => ({
    kind,
    flags: i % 2 === 0 ? 0xffff : 0,
    connId: i % 2 === 0 ? 0xffffffff : 0,
    roomId: 0x80000000 + i,
    correlationId: i,
    value: [Number.MAX_SAFE_INTEGER, -0.5, 1e300, 0, Number.MIN_VALUE, -1e-300, 2 ** 53 + 2][i]!,
  }));
  for (const header of headers) producer.tryWrite(header, new Uint8Array(0), new Uint8Array(0));
  producer.flush();
  const seen: EnvelopeHeader[] = [];
  ring.consumer().drain((r) => seen.push(r.toHeader()), 100);
  t.same(seen, headers);
});

t.test(
  'envelope-header - kinds are known, non-zero, and never the reserved wrap kind',
  async (t) => {
    for (const kind of Object.values(EnvelopeKind)) {
      t.ok(isEnvelopeKind(kind));
      t.not(kind, 0);
      t.not(kind, RESERVED_WRAP_KIND);
    }
    t.notOk(isEnvelopeKind(0));
    t.notOk(isEnvelopeKind(RESERVED_WRAP_KIND));
  },
);
