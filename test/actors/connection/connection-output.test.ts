import t from 'tap';
import { ConnectionOutput } from '../../../actors/connection/connection-output.js';
import type { ConnectionMetrics, ConnectionSocket } from '../../../actors/connection/index.js';
import { WireError } from '../../../proto/wire/index.js';
import { decodeServerBinary } from '../../helpers/server-frames.js';

interface Recorded {
  readonly calls: string[];
  readonly frames: (string | Uint8Array)[];
}

function fakes(): { socket: ConnectionSocket; metrics: ConnectionMetrics; seen: Recorded } {
  const seen: Recorded = { calls: [], frames: [] };
  const socket: ConnectionSocket = {
    send: (frame) => {
      seen.calls.push('send');
      seen.frames.push(frame);
    },
    sendBytes: (bytes, binary) => {
      seen.calls.push(`sendBytes ${binary}`);
      seen.frames.push(bytes);
    },
    end: (code, reason) => seen.calls.push(`end ${code} ${reason}`),
    subscribe: (topic) => seen.calls.push(`sub ${topic}`),
    unsubscribe: (topic) => seen.calls.push(`unsub ${topic}`),
    bufferedAmount: () => 7,
  };
  const metrics: ConnectionMetrics = {
    messageIn: () => seen.calls.push('in'),
    messagesOut: (n) => seen.calls.push(`out ${n}`),
    rejected: (code) => seen.calls.push(`rejected ${code}`),
    closed: (code) => seen.calls.push(`closed ${code}`),
  };
  return { socket, metrics, seen };
}

t.test('connection output - answers in the encoding asked, each write counted', async (t) => {
  const { socket, metrics, seen } = fakes();
  const output = new ConnectionOutput(socket, metrics);
  t.equal(output.encoding, 'json', 'a new connection speaks JSON');
  output.reply('r1', { a: 1 }, 'json');
  output.reply(undefined, { a: 2 }, 'json');
  output.reject('r2', new WireError('forbidden', 'no'), 'binary');
  t.same(seen.calls, ['send', 'out 1', 'rejected forbidden', 'send', 'out 1'], 'no ref: no reply');
  t.same(JSON.parse(seen.frames[0] as string), {
    op: 'reply',
    ref: 'r1',
    status: 'ok',
    body: { a: 1 },
  });
  t.same(decodeServerBinary(seen.frames[1] as Uint8Array), {
    op: 'reply',
    ref: 'r2',
    status: 'error',
    error: { code: 'forbidden', message: 'no' },
  });
  t.equal(output.bufferedAmount(), 7);
});

t.test('connection output - a deny that disconnects answers, then closes with 4003', async (t) => {
  const { socket, metrics, seen } = fakes();
  const output = new ConnectionOutput(socket, metrics);
  output.deny('r1', 'nope', false, 'json');
  output.deny(undefined, 'go away', true, 'json');
  t.same(seen.calls, [
    'rejected policy_denied',
    'send',
    'out 1',
    'rejected policy_denied',
    'send',
    'out 1',
    'closed 4003',
    'end 4003 dropped by policy',
  ]);
  t.same(JSON.parse(seen.frames[1] as string), {
    op: 'error',
    error: { code: 'policy_denied', message: 'go away' },
  });
});

t.test('connection output - topics follow the encoding, switched for every room', async (t) => {
  const { socket, metrics, seen } = fakes();
  const output = new ConnectionOutput(socket, metrics);
  output.subscribe('m', 't|a');
  const rooms = [
    { roomKey: 't|a', room: 'a', meta: {}, onlineAt: 1, presence: false },
    { roomKey: 't|b', room: 'b', meta: {}, onlineAt: 1, presence: true },
  ];
  output.switchEncoding('binary', rooms);
  t.equal(output.encoding, 'binary');
  output.unsubscribe('p', 't|b');
  t.same(seen.calls, [
    'sub m:j:t|a',
    'unsub m:j:t|a',
    'sub m:b:t|a',
    'unsub m:j:t|b',
    'sub m:b:t|b',
    'unsub p:j:t|b',
    'sub p:b:t|b',
    'unsub p:b:t|b',
  ]);
});

t.test('connection output - nothing is written once the socket is gone', async (t) => {
  const { socket, metrics, seen } = fakes();
  const output = new ConnectionOutput(socket, metrics);
  t.notOk(output.detached);
  output.detach();
  t.ok(output.detached);
  output.send({ op: 'reply', ref: 'r', status: 'ok', body: {} }, 'json');
  output.sendText('{}');
  output.sendBytes(new Uint8Array([1]), true);
  output.end(1000, 'bye');
  t.same(seen.calls, [], 'no frame, no close, nothing counted');
});
