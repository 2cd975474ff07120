import t from 'tap';
import {
  ClusterError,
  decodeHandoffAck,
  decodeRoomHandoff,
  encodeHandoffAck,
  encodeRoomHandoff,
  fitRoomHandoff,
  nodeHandoffWildcard,
  type RoomHandoff,
  roomHandoffSubject,
} from '../../src/cluster/index.js';

const enc = new TextEncoder();

function handoff(count: number, bytes = 3, offset = count + 10): RoomHandoff {
  return {
    tenant: 'acme',
    room: 'chat.general',
    from: 'n-1',
    state: {
      epoch: 'e1',
      offset,
      history: Array.from({ length: count }, (_, i) => ({
        offset: offset - count + 1 + i,
        ts: 1_700_000_000_000 + i,
        senderConn: 0,
        payload: enc.encode(String(i).padStart(bytes, '0')),
      })),
    },
  };
}

/** Builds a hand-off by hand: version byte, header length, JSON header, then `payload`. */
function raw(header: unknown, payload = new Uint8Array(0), version = 1): Uint8Array {
  const json = enc.encode(JSON.stringify(header));
  const out = new Uint8Array(5 + json.length + payload.length);
  out[0] = version;
  new DataView(out.buffer).setUint32(1, json.length, true);
  out.set(json, 5);
  out.set(payload, 5 + json.length);
  return out;
}

t.test('handoff wire - a room state survives the trip', async (t) => {
  for (const h of [handoff(0), handoff(3), handoff(5, 0)]) {
    t.same(decodeRoomHandoff(encodeRoomHandoff(h)), h, `${h.state.history.length} entries`);
  }
  t.same(decodeRoomHandoff(encodeRoomHandoff(handoff(0, 3, 0))).state, {
    epoch: 'e1',
    offset: 0,
    history: [],
  });
  t.same(decodeHandoffAck(encodeHandoffAck({ type: 'accepted' })), { type: 'accepted' });
  t.same(decodeHandoffAck(encodeHandoffAck({ type: 'late' })), { type: 'late' });
});

t.test('handoff wire - the subject carries the tenant, the new owner and the room', async (t) => {
  t.equal(
    roomHandoffSubject('acme', 'n-2', 'chat.general'),
    'arq.hand.t.acme.n.n-2.r.chat.general',
  );
  t.equal(nodeHandoffWildcard('n-2'), 'arq.hand.t.*.n.n-2.>');
  t.equal(roomHandoffSubject('a.b', 'n 2', 'x'), 'arq.hand.t.a%2Eb.n.n%202.r.x', 'tokens escaped');
});

t.test('handoff wire - what does not parse is refused, typed', async (t) => {
  const good = { tenant: 'acme', room: 'r', from: 'n', epoch: 'e', offset: 2, entries: [] };
  const cases: [string, Uint8Array][] = [
    ['too short', new Uint8Array(3)],
    ['another version', raw(good, undefined, 2)],
    ['header truncated', raw(good).subarray(0, 12)],
    [
      'header not JSON',
      (() => {
        const bytes = raw(good);
        bytes[5] = 0x7b + 1;
        return bytes;
      })(),
    ],
    ['no tenant', raw({ ...good, tenant: '' })],
    ['a tenant with |', raw({ ...good, tenant: 'a|b' })],
    ['no epoch', raw({ ...good, epoch: 7 })],
    ['an epoch too long', raw({ ...good, epoch: 'e'.repeat(256) })],
    ['a negative offset', raw({ ...good, offset: -1 })],
    ['entries not a list', raw({ ...good, entries: {} })],
    ['an entry of the wrong shape', raw({ ...good, entries: [[2, 0]] })],
    ['offsets not ending at offset', raw({ ...good, entries: [[1, 0, 0]] })],
    ['more entries than offsets', raw({ ...good, offset: 0, entries: [[1, 0, 0]] })],
    ['a ts that is no number', raw({ ...good, entries: [[2, 'x', 0]] })],
    ['a payload truncated', raw({ ...good, entries: [[2, 0, 4]] }, new Uint8Array(2))],
    ['bytes after the last entry', raw({ ...good, entries: [[2, 0, 1]] }, new Uint8Array(2))],
  ];
  for (const [what, bytes] of cases) {
    t.throws(() => decodeRoomHandoff(bytes), { code: 'ARQ_ERR_CLUSTER_MALFORMED' }, what);
  }
  t.throws(() => decodeHandoffAck(enc.encode('{"type":"maybe"}')), ClusterError);
  t.throws(() => decodeHandoffAck(enc.encode('nope')), { code: 'ARQ_ERR_CLUSTER_MALFORMED' });
});

t.test('handoff wire - a state too big for one message keeps its newest history', async (t) => {
  const big = handoff(100, 1_000);
  const whole = encodeRoomHandoff(big);
  t.equal(fitRoomHandoff(big, whole.length).length, whole.length, 'it fits: all of it');
  const fitted = fitRoomHandoff(big, 20_000);
  t.ok(fitted.length <= 20_000, `at most the limit (${fitted.length} B)`);
  const kept = decodeRoomHandoff(fitted).state;
  t.ok(kept.history.length > 0 && kept.history.length < 100, `${kept.history.length} kept`);
  t.equal(kept.offset, big.state.offset, 'the stream position is whole');
  t.equal(kept.history.at(-1)?.offset, big.state.offset, 'the newest entries are the ones kept');
  t.equal(decodeRoomHandoff(fitRoomHandoff(big, 10)).state.history.length, 0, 'none fit: none');
});
