import t from 'tap';
import { claims, sign } from '../helpers/jwt-keys.js';
import { matchList } from '../helpers/match-list.js';
import { startTestNode } from '../helpers/test-node.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';

const replyTo = (ref: string) => (f: Frame) => f.op === 'reply' && f.ref === ref;

t.test('edge frames - every op answered, exactly one reply per ref', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const { client, welcome } = await TestClient.connect(server.url, await server.token());
  t.teardown(() => client.close());
  const sameSub = await server.token({ sub: 'alice', ttl: '2h' });
  // Sent in one go: each frame's reply must come once, whatever the others do.
  const frames: [string, Record<string, unknown>, unknown][] = [
    ['j1', { op: 'join', room: 'lobby', meta: { m: 1 } }, { status: 'ok', body: { offset: 0 } }],
    ['p1', { op: 'publish', room: 'lobby', data: { n: 1 } }, { status: 'ok', body: { offset: 1 } }],
    ['ping', { op: 'ping' }, { status: 'ok', body: { ts: Number } }],
    ['r1', { op: 'refresh', token: sameSub }, { status: 'ok', body: {} }],
    ['l1', { op: 'leave', room: 'lobby' }, { status: 'ok', body: {} }],
    ['l2', { op: 'leave', room: 'lobby' }, { status: 'error', error: { code: 'not_joined' } }],
    ['l3', { op: 'leave', room: 'never' }, { status: 'error', error: { code: 'not_joined' } }],
    ['u1', { op: 'subscribe', room: 'x' }, { status: 'error', error: { code: 'unknown_op' } }],
    ['b1', { op: 'join' }, { status: 'error', error: { code: 'bad_frame' } }],
    ['b2', { op: 'join', room: 7 }, { status: 'error', error: { code: 'bad_frame' } }],
    ['b3', { op: 'publish', room: 'lobby' }, { status: 'error', error: { code: 'bad_frame' } }],
    [
      'b4',
      { op: 'publish', room: 'a..b', data: 1 },
      { status: 'error', error: { code: 'bad_frame' } },
    ],
    [
      'b5',
      { op: 'join', room: 'x', since: 'yesterday' },
      { status: 'error', error: { code: 'bad_frame' } },
    ],
    ['b6', { op: 'refresh' }, { status: 'error', error: { code: 'bad_frame' } }],
    ['b7', { op: 42 }, { status: 'error', error: { code: 'bad_frame' } }],
    [
      'b8',
      { op: 'publish', room: 'lobby', data: 1, headers: { h: 5 } },
      { status: 'error', error: { code: 'bad_frame' } },
    ],
    [
      'p2',
      { op: 'publish', room: 'lobby', data: 'x', echo: false },
      { status: 'ok', body: { offset: 2 } },
    ],
  ];
  for (const [ref, frame] of frames) client.send({ ...frame, ref });
  const before: Frame[] = [];
  const answered = (): boolean => frames.every(([ref]) => before.some(replyTo(ref)));
  while (!answered()) before.push(await client.next());
  // A later request through the same shard: a duplicate reply would come before its answer.
  client.send({ op: 'join', room: 'after', ref: 'last' });
  before.push(...(await client.collectUntil(replyTo('last'))).before);
  for (const [ref, , expected] of frames) {
    const replies = before.filter(replyTo(ref));
    t.equal(replies.length, 1, `one reply for ${ref}`);
    t.match(replies[0], { op: 'reply', ref, ...(expected as object) }, `reply to ${ref}`);
  }
  const others = before.filter((f) => f.op !== 'reply');
  matchList(
    t,
    others.filter((f) => f.op === 'presence_state'),
    [{ room: 'lobby', presences: { alice: { metas: [{ conn: welcome.conn, m: 1 }] } } }],
    'presence_state after the join',
  );
  matchList(
    t,
    others.filter((f) => f.op === 'message'),
    [{ room: 'lobby', offset: 1, from: 'alice', data: { n: 1 } }],
    'the member gets its own publish; the one after leaving is not delivered',
  );
  t.equal(others.filter((f) => f.op === 'error').length, 0, 'no ref-less errors');
});

t.test(
  'edge frames - bad frames without ref get an error frame; the socket stays open',
  async (t) => {
    const server = await startTestNode();
    t.teardown(() => server.close());
    const { client } = await TestClient.connect(server.url, await server.token());
    t.teardown(() => client.close());
    const bad: [string | Uint8Array, string][] = [
      ['{not json', 'bad_frame'],
      ['[1,2,3]', 'bad_frame'],
      ['"just a string"', 'bad_frame'],
      ['null', 'bad_frame'],
      ['{}', 'bad_frame'],
      ['{"op":"join","room":["a"]}', 'bad_frame'],
      ['{"op":"dance"}', 'unknown_op'],
      [new Uint8Array([0xff, 0xff, 0xff, 0x01]), 'bad_frame'],
      [new Uint8Array([0x0a, 0x02, 0x68]), 'bad_frame'],
    ];
    for (const [frame, code] of bad) {
      if (typeof frame === 'string') client.send(frame);
      else client.sendBinary(frame);
      const { frame: answer, binary } = await client.nextEntry();
      t.match(
        answer,
        { op: 'error', error: { code, message: String } },
        `${String(frame)} -> ${code}`,
      );
      t.equal(binary, typeof frame !== 'string', 'answered in the encoding of the frame');
    }
    t.match(await client.request({ op: 'ping' }), { status: 'ok' }, 'still open');
    t.notOk(client.isClosed);
  },
);

t.test(
  'edge frames - refresh: same sub ok, other sub or tenant forbidden, bad token unauthorized',
  async (t) => {
    const server = await startTestNode();
    t.teardown(() => server.close());
    const { client } = await TestClient.connect(server.url, await server.token({ sub: 'alice' }));
    t.teardown(() => client.close());
    const refresh = (token: string) => client.request({ op: 'refresh', token });
    t.match(await refresh(await server.token({ sub: 'alice' })), { status: 'ok', body: {} });
    t.match(await refresh(await server.token({ sub: 'mallory' })), {
      status: 'error',
      error: { code: 'forbidden' },
    });
    t.match(await refresh(await server.token({ sub: 'alice', tenant: 't2' })), {
      status: 'error',
      error: { code: 'forbidden' },
    });
    t.match(await refresh('not-a-token'), { status: 'error', error: { code: 'unauthorized' } });
    const now = Math.floor(Date.now() / 1000);
    const secret = new TextEncoder().encode(server.secret);
    const expired = await sign(secret, 'HS256', claims({ iat: now - 7200, exp: now - 3600 }));
    t.match(await refresh(expired), { status: 'error', error: { code: 'unauthorized' } });
    // A refresh narrows the rooms too: the new token's claims are the ones in force.
    t.match(await refresh(await server.token({ sub: 'alice', rooms: ['chat.*'] })), {
      status: 'ok',
    });
    t.match(await client.request({ op: 'join', room: 'lobby' }), {
      status: 'error',
      error: { code: 'forbidden' },
    });
    t.match(await client.request({ op: 'join', room: 'chat.one' }), { status: 'ok' });
  },
);

t.test('edge frames - too_large over max-frame-bytes, 1009 over the hard limit', async (t) => {
  const server = await startTestNode({ 'max-frame-bytes': '1024', 'hard-max-frame-bytes': '4096' });
  t.teardown(() => server.close());
  const { client } = await TestClient.connect(server.url, await server.token());
  t.teardown(() => client.close());
  const big = (n: number) => ({ op: 'publish', room: 'lobby', data: 'x'.repeat(n) });
  t.match(await client.request(big(2000)), { status: 'error', error: { code: 'too_large' } });
  client.send(JSON.stringify(big(2000)));
  t.match(await client.next(), { op: 'error', error: { code: 'too_large' } }, 'without ref');
  t.match(await client.request(big(500)), { status: 'ok' }, 'a frame under the limit works');
  client.send(JSON.stringify(big(6000)));
  t.equal((await client.closed).code, 1009, 'closed with 1009');
});

t.test('edge frames - past the bad-frame budget the socket closes with 1008', async (t) => {
  const server = await startTestNode({ 'bad-frame-budget': '3' });
  t.teardown(() => server.close());
  const { client } = await TestClient.connect(server.url, await server.token());
  t.teardown(() => client.close());
  for (let i = 0; i < 3; i++) {
    client.send('{bad');
    t.match(await client.next(), { op: 'error', error: { code: 'bad_frame' } });
  }
  t.match(await client.request({ op: 'ping' }), { status: 'ok' }, 'open at the budget');
  client.send('{bad');
  const closed = await client.closed;
  t.equal(closed.code, 1008, 'closed with 1008');
});

t.test('edge frames - echo:false reaches the others, also from a sender in no room', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const member = await TestClient.connect(server.url, await server.token({ sub: 'member' }));
  const outsider = await TestClient.connect(server.url, await server.token({ sub: 'outsider' }));
  const insider = await TestClient.connect(server.url, await server.token({ sub: 'insider' }));
  t.teardown(() => {
    for (const c of [member, outsider, insider]) c.client.close();
  });
  await member.client.request({ op: 'join', room: 'r' });
  await insider.client.request({ op: 'join', room: 'r' });
  const atInsider: Frame[] = [];
  for (const [who, c] of [
    ['outsider', outsider],
    ['insider', insider],
  ] as const) {
    const { reply, before } = await c.client.exchange({
      op: 'publish',
      room: 'r',
      data: who,
      echo: false,
    });
    t.match(reply, { status: 'ok' });
    if (c === insider) atInsider.push(...before);
    t.match(await member.client.nextWhere((f) => f.op === 'message'), { from: who, data: who });
  }
  atInsider.push(...(await insider.client.sync()));
  matchList(
    t,
    atInsider.filter((f) => f.op === 'message'),
    [{ from: 'outsider' }],
    'the insider got the outsider message, not its own',
  );
});
