import t from 'tap';
import {
  ConnectionActor,
  type ConnectionHost,
  type ConnectionPrincipal,
} from '../../../actors/connection/index.js';

type Answer = (error: Error | null, reply: unknown) => void;
interface Call {
  readonly op: 'join' | 'leave';
  readonly roomKey: string;
  readonly restore: boolean;
  readonly done: Answer | null;
}

/** A connection over a fake room gateway that answers only when the test says so. */
function setup() {
  const calls: Call[] = [];
  const sent: string[] = [];
  const principal: ConnectionPrincipal = {
    sub: 'alice',
    tenant: 'acme',
    rooms: [{ matches: () => true }],
    caps: { has: (cap: string) => cap !== 'presence' },
    expiresAtMs: null,
  };
  const host = {
    nodeId: 'n1',
    limits: {
      heartbeatMs: 25_000,
      maxFrameBytes: 65_536,
      maxRoomsPerConnection: 100,
      publishRate: 100,
      publishBurst: 100,
      historyRate: 10,
      historyBurst: 10,
      badFrameBudget: 10,
      maxSendBufferBytes: 1 << 20,
    },
    metrics: { messageIn: () => {}, messagesOut: () => {}, rejected: () => {}, closed: () => {} },
    policy: { guards: () => false, disconnects: () => false },
    presence: { leaveConn: () => {} },
    rooms: {
      join: (roomKey: string, _id: number, _since: unknown, restore: boolean, done: Answer) =>
        calls.push({ op: 'join', roomKey, restore, done }),
      leave: (roomKey: string, _id: number, done: Answer | null) =>
        calls.push({ op: 'leave', roomKey, restore: false, done }),
    },
    released: () => {},
  } as unknown as ConnectionHost;
  const actor = new ConnectionActor(7, principal, socketFor(sent), host);
  const frame = (f: object) =>
    actor.received(new TextEncoder().encode(JSON.stringify(f)), false, Date.now());
  /** Joins `room` and answers the join: the connection is a member. */
  const joined = (room: string): string => {
    frame({ op: 'join', room, ref: `j-${room}` });
    const join = calls.at(-1) as Call;
    join.done?.(null, { epoch: 'e1', offset: 0 });
    return join.roomKey;
  };
  return { actor, calls, sent, frame, joined };
}

function socketFor(sent: string[]) {
  return {
    send: (f: string | Uint8Array) => sent.push(typeof f === 'string' ? f : 'binary'),
    sendBytes: () => {},
    end: () => {},
    subscribe: () => {},
    unsubscribe: () => {},
    bufferedAmount: () => 0,
  };
}

t.test(
  'connection actor - a restore answered after a leave takes the member out again',
  async (t) => {
    const { actor, calls, frame, joined } = setup();
    const roomKey = joined('lobby');
    frame({ op: 'leave', room: 'lobby', ref: 'l1' });
    const leave = calls.at(-1) as Call;
    t.equal(leave.op, 'leave');
    // The shard restarted while the leave was on its way: the restore goes after it.
    const restoreDone: (Error | null)[] = [];
    t.ok(actor.restore(roomKey, null, (e) => restoreDone.push(e)));
    const restore = calls.at(-1) as Call;
    t.match(restore, { op: 'join', restore: true });
    // The room takes the leave, then the restore join: answers in that order.
    leave.done?.(null, {});
    t.equal(actor.roomCount, 0, 'the client has left');
    restore.done?.(null, { epoch: 'e1', offset: 0 });
    t.same(restoreDone, [null]);
    t.match(calls.at(-1), { op: 'leave', roomKey, done: null }, 'the restored member is taken out');
    t.equal(calls.length, 4);
  },
);

t.test(
  'connection actor - a restore answered before the leave needs no second leave',
  async (t) => {
    const { actor, calls, frame, joined } = setup();
    const roomKey = joined('lobby');
    actor.restore(roomKey, null, () => {});
    const restore = calls.at(-1) as Call;
    frame({ op: 'leave', room: 'lobby', ref: 'l1' });
    const leave = calls.at(-1) as Call;
    restore.done?.(null, { epoch: 'e1', offset: 0 });
    leave.done?.(null, {});
    t.equal(calls.length, 3, 'join, restore, leave: nothing more');
    t.equal(actor.roomCount, 0);
  },
);

t.test('connection actor - a rejoin in flight keeps the member a restore put back', async (t) => {
  const { actor, calls, frame, joined } = setup();
  const roomKey = joined('lobby');
  frame({ op: 'leave', room: 'lobby', ref: 'l1' });
  const leave = calls.at(-1) as Call;
  actor.restore(roomKey, null, () => {});
  const restore = calls.at(-1) as Call;
  frame({ op: 'join', room: 'lobby', ref: 'j2' });
  leave.done?.(null, {});
  const rejoin = calls.at(-1) as Call;
  t.match(rejoin, { op: 'join', restore: false }, 'the rejoin went once the leave was answered');
  // The room got leave, restore, rejoin: the rejoin decides, so no leave may follow the restore.
  restore.done?.(null, { epoch: 'e1', offset: 0 });
  rejoin.done?.(null, { epoch: 'e1', offset: 0 });
  t.equal(calls.filter((c) => c.op === 'leave').length, 1, 'only the client leave');
  t.equal(actor.roomCount, 1);
});

t.test('connection actor - a restore answered after the close leaves the room', async (t) => {
  const { actor, calls, joined } = setup();
  const roomKey = joined('lobby');
  actor.restore(roomKey, null, () => {});
  const restore = calls.at(-1) as Call;
  actor.closed();
  t.match(calls.at(-1), { op: 'leave', roomKey }, 'the close left');
  restore.done?.(null, { epoch: 'e1', offset: 0 });
  t.equal(calls.filter((c) => c.op === 'leave').length, 2, 'and the restore is undone');
  t.notOk(
    actor.restore(roomKey, null, () => {}),
    'nothing to restore once closed',
  );
});

t.test('connection actor - a refused restore sends no leave', async (t) => {
  const { actor, calls, frame, joined } = setup();
  const roomKey = joined('lobby');
  frame({ op: 'leave', room: 'lobby', ref: 'l1' });
  const leave = calls.at(-1) as Call;
  actor.restore(roomKey, null, () => {});
  const restore = calls.at(-1) as Call;
  leave.done?.(null, {});
  restore.done?.(Object.assign(new Error('overloaded'), { code: 'ARQ_ERR_ROOM_OVERLOADED' }), null);
  t.equal(calls.filter((c) => c.op === 'leave').length, 1);
});
