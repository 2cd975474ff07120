import t from 'tap';
import { ArqonClientError } from '../../src/client/index.js';
import { PendingRequests } from '../../src/client/pending-requests.js';

t.test('pending requests - a reply settles its ref through read, once', async (t) => {
  const pending = new PendingRequests(60_000);
  const a = pending.open('ping', (body) => body.ts);
  const b = pending.open('ping', (body) => body.ts);
  t.not(a.ref, b.ref, 'fresh refs');
  t.equal(pending.size, 2);
  t.equal(pending.resolve(b.ref, { ts: 2 }), true);
  t.equal(pending.resolve(b.ref, { ts: 3 }), false, 'a second reply is ignored');
  t.equal(pending.resolve('nope', {}), false);
  t.equal(await b.reply, 2);
  t.equal(pending.reject(a.ref, new ArqonClientError('forbidden', 'no')), true);
  await t.rejects(a.reply, { code: 'forbidden' });
  t.equal(pending.size, 0);
});

t.test('pending requests - read runs when the reply is handled, not later', async (t) => {
  const pending = new PendingRequests(60_000);
  const order: string[] = [];
  const { ref, reply } = pending.open('join', () => order.push('read'));
  pending.resolve(ref, {});
  order.push('next frame');
  await reply;
  t.same(order, ['read', 'next frame']);
});

t.test('pending requests - a throwing read rejects the request', async (t) => {
  const pending = new PendingRequests(60_000);
  const { ref, reply } = pending.open('join', () => {
    throw new ArqonClientError('ARQ_CLIENT_BAD_FRAME', 'bad body');
  });
  pending.resolve(ref, {});
  await t.rejects(reply, { code: 'ARQ_CLIENT_BAD_FRAME' });
});

t.test('pending requests - no reply in time rejects with ARQ_CLIENT_TIMEOUT', async (t) => {
  const pending = new PendingRequests(20);
  const { ref, reply } = pending.open('ping', () => 1);
  await t.rejects(reply, { code: 'ARQ_CLIENT_TIMEOUT', message: 'ping got no reply within 20 ms' });
  t.equal(pending.resolve(ref, {}), false, 'a late reply finds nothing');
});

t.test('pending requests - rejectAll fails every waiting request', async (t) => {
  const pending = new PendingRequests(60_000);
  const replies = [1, 2, 3].map(() => pending.open('ping', () => 0).reply);
  pending.rejectAll(new ArqonClientError('ARQ_CLIENT_DISCONNECTED', 'gone'));
  t.equal(pending.size, 0);
  for (const reply of replies) await t.rejects(reply, { code: 'ARQ_CLIENT_DISCONNECTED' });
});
