import t from 'tap';
import { http } from '../helpers/http.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { sleep, waitFor } from '../helpers/wait-for.js';
import { type Frame, nextRef, TestClient } from '../helpers/ws-client.js';

const isMessage = (f: Frame) => f.op === 'message';

/** Sends `count` publishes at once and returns their replies, in the order sent. */
async function burst(client: TestClient, room: string, tag: string, count: number) {
  const refs = Array.from({ length: count }, () => nextRef());
  for (const [i, ref] of refs.entries())
    client.send({ op: 'publish', room, data: `${tag}${i}`, ref });
  // Refusals are answered at once, accepted publishes when the room has ordered them.
  const replies = new Map<unknown, Frame>();
  while (replies.size < count) {
    const frame = await client.next();
    if (frame.op === 'reply' && refs.includes(frame.ref as string)) replies.set(frame.ref, frame);
  }
  return refs.map((ref) => replies.get(ref) as Frame);
}

/** Publishes over HTTP until the tenant's budget lets it through (the sentinel that ends a check). */
async function sentinel(server: TestNode, room: string, data: string): Promise<void> {
  const token = await server.token({ sub: 'backend', caps: ['server'] });
  await waitFor(async () => {
    const answer = await http(`${server.http}/v1/publish`, { token, body: { room, data } });
    if (answer.status === 429) {
      await sleep(250);
      return false;
    }
    if (answer.status !== 200) throw new Error(`publish answered ${answer.status}: ${answer.text}`);
    return true;
  }, 'the sentinel publish');
}

t.test(
  'edge limits - connection publish rate: rate_limited, and nothing delivered for it',
  async (t) => {
    const server = await startTestNode({ 'publish-rate': '1', 'publish-burst': '2' });
    t.teardown(() => server.close());
    const member = await TestClient.connect(server.url, await server.token({ sub: 'member' }));
    const pub = await TestClient.connect(server.url, await server.token({ sub: 'pub' }));
    t.teardown(() => {
      member.client.close();
      pub.client.close();
    });
    t.match(await member.client.request({ op: 'join', room: 'lobby' }), { status: 'ok' });
    const replies = await burst(pub.client, 'lobby', 'p', 8);
    const ok = replies.filter((r) => r.status === 'ok');
    const limited = replies.filter((r) => r.status === 'error');
    t.ok(limited.length > 0, 'some publishes were over the budget');
    t.match(
      limited,
      limited.map(() => ({ error: { code: 'rate_limited' } })),
    );
    await sentinel(server, 'lobby', 'end');
    const { before } = await member.client.collectUntil((f) => isMessage(f) && f.data === 'end');
    t.equal(before.filter(isMessage).length, ok.length, 'one delivery per accepted publish');
  },
);

t.test('edge limits - tenant publish rate is shared by the tenant, not by others', async (t) => {
  const server = await startTestNode({
    'tenant-publish-rate': '1',
    'tenant-publish-burst': '2',
    'publish-rate': '1000',
    'publish-burst': '1000',
  });
  t.teardown(() => server.close());
  const member = await TestClient.connect(server.url, await server.token({ sub: 'member' }));
  const p1 = await TestClient.connect(server.url, await server.token({ sub: 'p1' }));
  const p2 = await TestClient.connect(server.url, await server.token({ sub: 'p2' }));
  const other = await TestClient.connect(server.url, await server.token({ tenant: 't2' }));
  t.teardown(() => {
    for (const c of [member, p1, p2, other]) c.client.close();
  });
  t.match(await member.client.request({ op: 'join', room: 'lobby' }), { status: 'ok' });
  const replies = [
    ...(await burst(p1.client, 'lobby', 'a', 3)),
    ...(await burst(p2.client, 'lobby', 'b', 3)),
  ];
  const ok = replies.filter((r) => r.status === 'ok');
  const limited = replies.filter((r) => r.status === 'error');
  t.ok(limited.length > 0, 'the tenant went over its budget');
  t.match(
    limited,
    limited.map(() => ({ error: { code: 'rate_limited' } })),
  );
  t.match(
    await other.client.request({ op: 'publish', room: 'lobby', data: 'x' }),
    {
      status: 'ok',
    },
    'another tenant has its own budget',
  );
  // HTTP publishes are the tenant's publishes too.
  const token = await server.token({ sub: 'backend', caps: ['server'] });
  const answers = [];
  for (let i = 0; i < 5; i++) {
    answers.push(
      await http(`${server.http}/v1/publish`, { token, body: { room: 'lobby', data: `h${i}` } }),
    );
  }
  const refused = answers.filter((a) => a.status === 429);
  t.ok(refused.length > 0, 'HTTP publishes count against the tenant budget');
  t.match(
    refused,
    refused.map(() => ({ json: { error: { code: 'rate_limited' } } })),
  );
  const accepted = answers.filter((a) => a.status === 200).length;
  await sentinel(server, 'lobby', 'end');
  const { before } = await member.client.collectUntil((f) => isMessage(f) && f.data === 'end');
  t.equal(
    before.filter(isMessage).length,
    ok.length + accepted,
    'one delivery per accepted publish',
  );
});

t.test('edge limits - max rooms per connection', async (t) => {
  const server = await startTestNode({ 'max-rooms-per-connection': '2' });
  t.teardown(() => server.close());
  const { client } = await TestClient.connect(server.url, await server.token());
  t.teardown(() => client.close());
  t.match(await client.request({ op: 'join', room: 'a' }), { status: 'ok' });
  t.match(await client.request({ op: 'join', room: 'b' }), { status: 'ok' });
  t.match(await client.request({ op: 'join', room: 'a' }), { status: 'ok' }, 'a re-join is free');
  t.match(await client.request({ op: 'join', room: 'c' }), {
    status: 'error',
    error: { code: 'forbidden' },
  });
  t.match(await client.request({ op: 'leave', room: 'a' }), { status: 'ok' });
  t.match(
    await client.request({ op: 'join', room: 'c' }),
    { status: 'ok' },
    'room again after a leave',
  );
});

t.test('edge limits - max connections per tenant: the upgrade is refused with 429', async (t) => {
  const server = await startTestNode({ 'max-connections-per-tenant': '2' });
  t.teardown(() => server.close());
  const token = await server.token();
  const first = await TestClient.connect(server.url, token);
  const second = await TestClient.connect(server.url, token);
  t.teardown(() => second.client.close());
  const refusal = await TestClient.refused(`${server.url}?token=${token}`);
  t.equal(refusal.status, 429);
  t.match(refusal.body, { error: { code: 'rate_limited', message: String } });
  const other = await TestClient.connect(server.url, await server.token({ tenant: 't2' }));
  t.match(other.welcome, { tenant: 't2' }, 'another tenant still connects');
  other.client.close();
  first.client.close();
  await first.client.closed;
  // The server counts the close when it sees it: retry until the slot is free.
  const third = await waitFor(
    () => TestClient.connect(server.url, token).catch(() => null),
    'a free connection slot',
  );
  t.match(third.welcome, { op: 'welcome' });
  third.client.close();
});
