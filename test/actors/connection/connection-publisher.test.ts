import t from 'tap';
import { ConnectionOutput } from '../../../actors/connection/connection-output.js';
import { ConnectionPublisher } from '../../../actors/connection/connection-publisher.js';
import type {
  ConnectionHost,
  ConnectionPrincipal,
  PublishAnswer,
} from '../../../actors/connection/index.js';
import { type PublishFrame, WireError } from '../../../proto/wire/index.js';

type Done = ((error: Error | null, reply: PublishAnswer | null) => void) | null;

function setup(opts: { burst?: number; tenantOk?: boolean } = {}) {
  const sent: string[] = [];
  const publishes: { roomKey: string; done: Done }[] = [];
  let matches = 0;
  const principal: ConnectionPrincipal = {
    sub: 'alice',
    tenant: 'acme',
    rooms: [
      {
        matches: () => {
          matches++;
          return true;
        },
      },
    ],
    caps: { has: () => true },
    expiresAtMs: null,
  };
  const host = {
    limits: { publishRate: 1, publishBurst: opts.burst ?? 10 },
    policy: { guards: () => false, disconnects: () => false },
    rooms: {
      publish: (
        roomKey: string,
        _id: number,
        _p: Uint8Array,
        _e: boolean,
        _ts: number,
        done: Done,
      ) => publishes.push({ roomKey, done }),
    },
    tenantMayPublish: () => opts.tenantOk ?? true,
  } as unknown as ConnectionHost;
  const output = new ConnectionOutput(
    {
      send: (frame) => sent.push(typeof frame === 'string' ? frame : 'binary'),
      sendBytes: () => {},
      end: () => {},
      subscribe: () => {},
      unsubscribe: () => {},
      bufferedAmount: () => 0,
    },
    { messageIn: () => {}, messagesOut: () => {}, rejected: () => {}, closed: () => {} },
  );
  const publisher = new ConnectionPublisher(1, host, output);
  return { publisher, principal, output, sent, publishes, matches: () => matches };
}

function frame(room: string, ref?: string): PublishFrame {
  return {
    op: 'publish',
    room,
    ...(ref === undefined ? {} : { ref }),
    data: new Uint8Array([0x31]),
    dataFormat: 'json',
    headers: {},
    echo: true,
  };
}

t.test('connection publisher - a room is authorized once, again after forgetRoom', async (t) => {
  const s = setup();
  s.publisher.publish(frame('lobby'), s.principal, 0);
  s.publisher.publish(frame('lobby'), s.principal, 0);
  t.equal(s.matches(), 1, 'the second publish reuses the room key');
  s.publisher.publish(frame('other'), s.principal, 0);
  t.equal(s.matches(), 2, 'another room is authorized');
  s.publisher.forgetRoom();
  s.publisher.publish(frame('other'), s.principal, 0);
  t.equal(s.matches(), 3, 'a new token authorizes again');
  t.same(
    s.publishes.map((p) => [p.roomKey, p.done]),
    [
      ['acme|lobby', null],
      ['acme|lobby', null],
      ['acme|other', null],
      ['acme|other', null],
    ],
    'no ref and no policy: the room is not asked to answer',
  );
});

t.test('connection publisher - an answer goes out in the encoding of its publish', async (t) => {
  const s = setup();
  s.publisher.publish(frame('lobby', 'r1'), s.principal, 0);
  s.output.switchEncoding('binary', []);
  s.publishes[0]!.done!(null, { id: 'e:1', offset: 1 });
  t.same(JSON.parse(s.sent[0]!), {
    op: 'reply',
    ref: 'r1',
    status: 'ok',
    body: { id: 'e:1', offset: 1 },
  });
  s.publisher.publish(frame('lobby', 'r2'), s.principal, 0);
  s.output.detach();
  s.publishes[1]!.done!(null, { id: 'e:2', offset: 2 });
  t.equal(s.sent.length, 1, 'the socket is gone: a late answer is dropped');
});

t.test('connection publisher - the rate limits refuse with wire errors', async (t) => {
  const s = setup({ burst: 1 });
  s.publisher.publish(frame('lobby'), s.principal, 0);
  t.throws(() => s.publisher.publish(frame('lobby'), s.principal, 0), {
    code: 'rate_limited',
    message: 'connection publish rate exceeded',
  });
  const tenant = setup({ tenantOk: false });
  t.throws(
    () => tenant.publisher.publish(frame('lobby'), tenant.principal, 0),
    new WireError('rate_limited', 'tenant publish rate exceeded'),
  );
  t.equal(tenant.publishes.length, 0, 'refused before the room');
});
