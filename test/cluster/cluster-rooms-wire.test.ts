import { create, toBinary } from '@bufbuild/protobuf';
import t from 'tap';
import { EnvelopeKind, EnvelopeSchema } from '../../proto/index.js';
import {
  ClusterError,
  decodeRoomDirect,
  decodeRoomFan,
  decodeRoomReply,
  decodeRoomRequest,
  encodeRoomDirect,
  encodeRoomFan,
  encodeRoomReply,
  encodeRoomRequest,
  nodeDirectWildcard,
  type RoomFan,
  type RoomReply,
  type RoomRequest,
  roomDirectSubject,
} from '../../src/cluster/index.js';

const body = new TextEncoder().encode('{"x":1}');

t.test('cluster rooms wire - requests survive the trip', async (t) => {
  const from = { tenant: 'acme', room: 'chat.general', node: 'n-1', incarnation: 'i|1', conn: 42 };
  const requests: RoomRequest[] = [
    { ...from, type: 'join', since: null, restore: false },
    { ...from, type: 'join', since: { epoch: 'e1', offset: 7 }, restore: true },
    { ...from, type: 'join', since: { ts: 1_700_000_000_123 }, restore: false },
    { ...from, type: 'leave' },
    { ...from, type: 'publish', payload: body, echo: false, ingressTs: 1_700_000_000_123 },
    { ...from, type: 'history', query: { since: null, before: null, limit: 100 } },
    { ...from, type: 'history', query: { since: { offset: 3 }, before: null, limit: 1 } },
    {
      ...from,
      type: 'history',
      query: { since: { epoch: 'e1', offset: 0 }, before: null, limit: 1000 },
    },
    {
      ...from,
      type: 'history',
      query: { since: { ts: 1_700_000_000_123 }, before: null, limit: 5 },
    },
    { ...from, type: 'history', query: { since: null, before: 42, limit: 7 } },
  ];
  for (const request of requests) {
    t.same(decodeRoomRequest(encodeRoomRequest(request)), request, request.type);
  }
  const fractional = decodeRoomRequest(
    encodeRoomRequest({ ...from, type: 'publish', payload: body, echo: true, ingressTs: 5.9 }),
  );
  t.match(fractional, { ingressTs: 5 }, 'milliseconds, fraction dropped');
});

t.test('cluster rooms wire - replies survive the trip', async (t) => {
  const replies: RoomReply[] = [
    { type: 'joined', epoch: 'e1', offset: 0, recovered: true },
    { type: 'joined', epoch: 'e1', offset: 9, recovered: false },
    { type: 'left' },
    { type: 'published', id: 'e1:10', offset: 10 },
    { type: 'failed', code: 'ARQ_ERR_NOT_JOINED', message: 'not a member' },
    {
      type: 'history',
      answer: { epoch: 'e1', offset: 0, entries: [], more: false, recovered: true },
    },
    {
      type: 'history',
      answer: { epoch: 'e1', offset: 9, entries: [], more: false, recovered: false },
    },
    {
      type: 'history',
      answer: {
        epoch: 'e1',
        offset: 9,
        entries: [
          { offset: 7, ts: 1_700_000_000_123.5, senderConn: 0, payload: body },
          { offset: 8, ts: 1_700_000_000_124, senderConn: 0, payload: new Uint8Array(0) },
        ],
        more: true,
        recovered: true,
      },
    },
  ];
  for (const reply of replies) t.same(decodeRoomReply(encodeRoomReply(reply)), reply, reply.type);
  const foreign = toBinary(
    EnvelopeSchema,
    create(EnvelopeSchema, {
      kind: EnvelopeKind.CONTROL,
      headers: { 'arq-error': 'ARQ_ERR_SOMETHING_NEW', 'arq-message': 'x' },
    }),
  );
  t.match(
    decodeRoomReply(foreign),
    { type: 'failed', code: 'ARQ_ERR_ROOM_FAILED' },
    'an unknown code arrives as ROOM_FAILED (internal), as it would map locally',
  );
});

t.test('cluster rooms wire - fan-out and replays survive the trip', async (t) => {
  const fan: RoomFan = {
    tenant: 'acme',
    room: 'lobby',
    owner: 'n-1',
    senderNode: 'n-2',
    senderConn: 0xffff_ffff,
    offset: 2 ** 40,
    epoch: 'e1',
    ts: 1_700_000_000_000,
    ingressTs: 1_699_999_999_990,
    echo: false,
    body,
  };
  t.same(decodeRoomFan(encodeRoomFan(fan)), fan);
  const direct = {
    tenant: 'acme',
    room: 'lobby',
    conn: 3,
    offset: 4,
    epoch: 'e1',
    ts: 10,
    ingressTs: 9,
    body,
  };
  t.same(decodeRoomDirect(encodeRoomDirect(direct)), direct);
  t.equal(
    roomDirectSubject('acme', 'n.1', 'chat.general'),
    'arq.dir.t.acme.n.n%2E1.r.chat.general',
  );
  t.equal(nodeDirectWildcard('n.1'), 'arq.dir.t.*.n.n%2E1.>');
});

t.test(
  'cluster rooms wire - what does not parse or check out is ARQ_ERR_CLUSTER_MALFORMED',
  async (t) => {
    const envelope = (init: Parameters<typeof create<typeof EnvelopeSchema>>[1]) =>
      toBinary(EnvelopeSchema, create(EnvelopeSchema, init));
    const good = {
      kind: EnvelopeKind.LEAVE,
      tenant: 'acme',
      room: 'lobby',
      originNode: 'n',
      fromConn: '1',
      headers: { 'arq-inc': 'i' },
    };
    const bad: [string, Uint8Array, (data: Uint8Array) => unknown][] = [
      ['not protobuf', new Uint8Array([0xff, 0xff, 0xff]), decodeRoomRequest],
      ['no kind', envelope({ ...good, kind: EnvelopeKind.UNSPECIFIED }), decodeRoomRequest],
      ['no tenant', envelope({ ...good, tenant: '' }), decodeRoomRequest],
      ['a | in the tenant', envelope({ ...good, tenant: 'a|b' }), decodeRoomRequest],
      ['no incarnation', envelope({ ...good, headers: {} }), decodeRoomRequest],
      ['conn not a number', envelope({ ...good, fromConn: '1e3' }), decodeRoomRequest],
      ['conn over 32 bits', envelope({ ...good, fromConn: '4294967296' }), decodeRoomRequest],
      [
        'bad since offset',
        envelope({
          ...good,
          kind: EnvelopeKind.JOIN,
          headers: { 'arq-inc': 'i', 'arq-since-offset': '-1' },
        }),
        decodeRoomRequest,
      ],
      ['a reply of kind delivery', envelope({ kind: EnvelopeKind.DELIVERY }), decodeRoomReply],
      [
        'a control request of no known op',
        envelope({ ...good, kind: EnvelopeKind.CONTROL }),
        decodeRoomRequest,
      ],
      [
        'a history request without limit',
        envelope({
          ...good,
          kind: EnvelopeKind.CONTROL,
          headers: { 'arq-inc': 'i', 'arq-op': 'history' },
        }),
        decodeRoomRequest,
      ],
      [
        'a history page cut short',
        envelope({
          kind: EnvelopeKind.CONTROL,
          epoch: 'e',
          headers: { 'arq-op': 'history' },
          payload: new Uint8Array(7),
        }),
        decodeRoomReply,
      ],
      [
        'history entries out of order',
        encodeRoomReply({
          type: 'history',
          answer: {
            epoch: 'e',
            offset: 3,
            entries: [
              { offset: 2, ts: 1, senderConn: 0, payload: body },
              { offset: 2, ts: 1, senderConn: 0, payload: body },
            ],
            more: false,
            recovered: true,
          },
        }),
        decodeRoomReply,
      ],
      ['a joined reply without epoch', envelope({ kind: EnvelopeKind.JOIN }), decodeRoomReply],
      [
        'a fan-out of kind publish',
        envelope({ ...good, kind: EnvelopeKind.PUBLISH }),
        decodeRoomFan,
      ],
      [
        'a fan-out without owner',
        envelope({ ...good, kind: EnvelopeKind.DELIVERY, epoch: 'e' }),
        decodeRoomFan,
      ],
      [
        'a replay without recipient',
        envelope({ ...good, kind: EnvelopeKind.DELIVERY, epoch: 'e' }),
        decodeRoomDirect,
      ],
      [
        'an offset past 2^53',
        envelope({ kind: EnvelopeKind.PUBLISH, id: 'x', offset: 2n ** 60n }),
        decodeRoomReply,
      ],
    ];
    for (const [what, data, decode] of bad) {
      const err = t.throws(() => decode(data), what);
      t.ok(err instanceof ClusterError && err.code === 'ARQ_ERR_CLUSTER_MALFORMED', what);
    }
  },
);
