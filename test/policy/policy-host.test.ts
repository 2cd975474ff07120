import t, { type Test } from 'tap';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { type Frame, TestClient } from '../helpers/ws-client.js';
import { type Admin, list, moduleBytes, push, pushOk, remove } from './fixtures/policy-fixtures.js';

const isMessage = (f: Frame) => f.op === 'message';

async function node(t: Test): Promise<TestNode & Admin> {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const adminToken = await server.token({ tenant: 'ops', sub: 'root', caps: ['admin'] });
  return Object.assign(server, { adminToken });
}

async function member(t: Test, server: TestNode, tenant: string, sub: string, room: string) {
  const { client } = await TestClient.connect(server.url, await server.token({ tenant, sub }));
  t.teardown(() => client.close());
  t.match(await client.request({ op: 'join', room }), { status: 'ok' });
  await client.next(); // presence_state
  return client;
}

t.test(
  'policy host - pii-redact rewrites a publish; the members get the redacted data',
  async (t) => {
    const server = await node(t);
    const info = await pushOk(server, 'pii', 'pii-redact');
    t.match(info, { name: 'pii', tenant: null, hooks: ['on_publish'], sha256: /^[0-9a-f]{64}$/ });
    const a = await member(t, server, 't1', 'alice', 'lobby');
    const reply = await a.request({
      op: 'publish',
      room: 'lobby',
      data: { text: 'mail bob@example.com or call +1 (555) 123-4567', n: 3 },
    });
    t.match(reply, { status: 'ok' });
    const message = await a.nextWhere(isMessage);
    t.same(message.data, { text: 'mail [redacted] or call [redacted]', n: 3 });
  },
);

t.test(
  'policy host - rewrites chain: global policies first, each scope in name order',
  async (t) => {
    const server = await node(t);
    // Global: "p2" appends a, "p1" appends b: name order runs p1 then p2. Then the tenant's.
    await pushOk(server, 'p2', 'append-a');
    await pushOk(server, 'p1', 'append-b');
    await pushOk(server, 'p0', 'append-a', { tenant: 't1' });
    await pushOk(server, 'stamp', 'stamp-header', { tenant: 't1' });
    const a = await member(t, server, 't1', 'alice', 'lobby');
    t.match(await a.request({ op: 'publish', room: 'lobby', data: 'x' }), { status: 'ok' });
    const message = await a.nextWhere(isMessage);
    t.equal(message.data, 'xbaa', 'global p1 (b), global p2 (a), then tenant p0 (a)');
    t.same(message.headers, { 'x-stamped': 'yes' }, 'a headers-only rewrite keeps the data');
  },
);

t.test(
  'policy host - deny words: a publish is denied with the reason; nothing is delivered',
  async (t) => {
    const server = await node(t);
    await pushOk(server, 'words', 'deny-words');
    const a = await member(t, server, 't1', 'alice', 'lobby');
    const denied = await a.request({ op: 'publish', room: 'lobby', data: { t: 'oh Heck no' } });
    t.match(denied, {
      status: 'error',
      error: { code: 'policy_denied', message: 'the message has a denied word' },
    });
    t.match(await a.request({ op: 'publish', room: 'lobby', data: { t: 'hecking fine' } }), {
      status: 'ok',
    });
    const got = await a.collectUntil(isMessage);
    t.same(got.match.data, { t: 'hecking fine' }, 'only the allowed message arrives');
    // Without a ref the sender still learns of a deny, by an error frame.
    a.send({ op: 'publish', room: 'lobby', data: 'darn' });
    t.match(await a.next(), { op: 'error', error: { code: 'policy_denied' } });
  },
);

t.test('policy host - a deny with disconnect closes the sender with 4003', async (t) => {
  const server = await node(t);
  await pushOk(server, 'kick', 'deny-disconnect', { tenant: 't1' });
  const a = await member(t, server, 't1', 'alice', 'lobby');
  t.match(await a.request({ op: 'publish', room: 'lobby', data: 1 }), {
    status: 'error',
    error: { code: 'policy_denied', message: 'go away' },
  });
  t.match(await a.closed, { code: 4003 });
});

t.test('policy host - a tenant policy never touches another tenant', async (t) => {
  const server = await node(t);
  await pushOk(server, 'kick', 'deny-disconnect', { tenant: 't1' });
  await pushOk(server, 'nojoin', 'deny-join', { tenant: 't1' });
  const b = await member(t, server, 't2', 'bob', 'lobby');
  t.match(await b.request({ op: 'publish', room: 'lobby', data: 'hi' }), { status: 'ok' });
  t.match(await b.nextWhere(isMessage), { data: 'hi' });
  const { client: a } = await TestClient.connect(
    server.url,
    await server.token({ tenant: 't1', sub: 'alice' }),
  );
  t.teardown(() => a.close());
  t.match(await a.request({ op: 'join', room: 'lobby' }), {
    status: 'error',
    error: { code: 'policy_denied', message: 'no joining today' },
  });
});

t.test('policy host - room-firewall denies joins and publishes by room and sub', async (t) => {
  const server = await node(t);
  await pushOk(server, 'fw', 'room-firewall');
  const { client: alice } = await TestClient.connect(
    server.url,
    await server.token({ tenant: 't1', sub: 'alice' }),
  );
  t.teardown(() => alice.close());
  t.match(await alice.request({ op: 'join', room: 'admin.keys' }), {
    status: 'error',
    error: { code: 'policy_denied', message: 'room-firewall: alice may not use admin.keys' },
  });
  t.match(await alice.request({ op: 'join', room: 'vault.gold' }), { status: 'ok' });
  t.match(await alice.request({ op: 'publish', room: 'admin.keys', data: 1 }), {
    status: 'error',
    error: { code: 'policy_denied' },
  });
  const ops = await member(t, server, 't1', 'ops', 'admin.keys');
  t.match(await ops.request({ op: 'publish', room: 'admin.keys', data: 1 }), { status: 'ok' });
});

t.test(
  'policy host - ls shows what is in force; rm removes; a second push is a new version',
  async (t) => {
    const server = await node(t);
    const first = await pushOk(server, 'words', 'deny-words');
    const second = await pushOk(server, 'words', 'deny-words', { timeoutMs: 80 });
    t.ok((second.version as number) > (first.version as number), 'versions grow');
    await pushOk(server, 'fw', 'room-firewall', { tenant: 't1' });
    const listed = await list(server);
    t.match(listed, [
      { name: 'words', tenant: null, version: second.version, timeout_ms: 80 },
      { name: 'fw', tenant: 't1', hooks: ['on_join', 'on_publish'] },
    ]);
    t.equal((await remove(server, 'fw', 't1')).status, 200);
    const missing = await remove(server, 'fw', 't1');
    t.equal(missing.status, 404);
    t.match(missing.json, { error: { code: 'no_such_room' } });
    t.same(
      (await list(server)).map((p) => p.name),
      ['words'],
    );
    const a = await member(t, server, 't1', 'alice', 'admin.x');
    t.ok(a, 'after rm, the firewall no longer denies the join');
  },
);

t.test(
  'policy host - refused pushes: 400 with a reason, and the version in force stays',
  async (t) => {
    const server = await node(t);
    const kept = await pushOk(server, 'p', 'deny-words');
    const cases: [string, Uint8Array, RegExp][] = [
      ['not Wasm', Buffer.from('hello, not a module'), /not a WebAssembly module/],
      ['empty', new Uint8Array(0), /empty/],
      ['truncated', moduleBytes('allow-all').subarray(0, 100), /not a (valid|usable)/],
      ['no hooks', moduleBytes('no-hooks'), /exports no hook/],
      ['traps on load', moduleBytes('trap-on-load'), /fails when loaded/],
    ];
    for (const [what, body, says] of cases) {
      const answer = await push(server, 'p', body);
      t.equal(answer.status, 400, what);
      t.match(answer.json, { error: { code: 'bad_frame', message: says } }, what);
    }
    t.match(await push(server, 'bad name!', moduleBytes('allow-all')), { status: 400 });
    t.match(await push(server, 'p', moduleBytes('allow-all'), { timeoutMs: 0 }), { status: 400 });
    t.match(await list(server), [{ name: 'p', version: kept.version, sha256: kept.sha256 }]);
    const a = await member(t, server, 't1', 'alice', 'lobby');
    t.match(await a.request({ op: 'publish', room: 'lobby', data: 'heck' }), {
      error: { code: 'policy_denied' },
    });
  },
);

t.test('policy host - the admin API needs the admin cap', async (t) => {
  const server = await node(t);
  const user = await server.token({ tenant: 't1', sub: 'alice' });
  const answer = await push({ http: server.http, adminToken: user }, 'p', moduleBytes('allow-all'));
  t.equal(answer.status, 403);
  t.match(answer.json, { error: { code: 'forbidden' } });
  t.same(await list(server), []);
});

t.test('policy host - on_join decides history too: a denied join is a denied read', async (t) => {
  const server = await node(t);
  const { client: a } = await TestClient.connect(
    server.url,
    await server.token({ tenant: 't1', sub: 'alice' }),
  );
  t.teardown(() => a.close());
  t.match(await a.request({ op: 'publish', room: 'lobby', data: 1 }), { status: 'ok' });
  t.match(await a.request({ op: 'history', room: 'lobby' }), { status: 'ok' }, 'before it');
  await pushOk(server, 'nojoin', 'deny-join', { tenant: 't1' });
  const denied = { status: 'error', error: { code: 'policy_denied', message: 'no joining today' } };
  t.match(await a.request({ op: 'join', room: 'lobby' }), denied);
  t.match(await a.request({ op: 'history', room: 'lobby' }), denied, 'the same answer');
});

t.test(
  'policy host - publishes sent together, across rooms and tenants, are each decided as alone',
  async (t) => {
    const server = await node(t);
    // pii-redact and deny-words export on_publish_batch; append-a (t2 only) does not.
    await pushOk(server, 'pii', 'pii-redact');
    await pushOk(server, 'words', 'deny-words');
    await pushOk(server, 'tail', 'append-a', { tenant: 't2' });
    const a = await member(t, server, 't1', 'alice', 'r1');
    const b = await member(t, server, 't1', 'bob', 'r2');
    const c = await member(t, server, 't2', 'carol', 'r3');
    const texts = ['hello', 'mail ann@example.org', 'oh heck', 'call 0612345678 now', 'bye'];
    // Sent without waiting for replies, so that the shard may drain them together.
    for (const [i, client] of [a, b, c].entries()) {
      for (const [k, text] of texts.entries()) {
        client.send({ op: 'publish', room: `r${i + 1}`, data: text, ref: `p${k}` });
      }
    }
    const allowed = ['hello', 'mail [redacted]', 'call [redacted] now', 'bye'];
    for (const [client, suffix] of [
      [a, ''],
      [b, ''],
      [c, 'a'],
    ] as const) {
      const replies = new Map<unknown, unknown>();
      const messages: unknown[] = [];
      while (replies.size < texts.length || messages.length < allowed.length) {
        const frame = await client.next();
        if (frame.op === 'reply') replies.set(frame.ref, frame.status);
        if (isMessage(frame)) messages.push(frame.data);
      }
      t.same(
        texts.map((_, k) => replies.get(`p${k}`)),
        texts.map((text) => (text.includes('heck') ? 'error' : 'ok')),
      );
      t.same(
        messages,
        allowed.map((x) => x + suffix),
        'allowed ones delivered in order, rewritten',
      );
    }
  },
);
