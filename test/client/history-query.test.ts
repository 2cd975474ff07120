import t from 'tap';
import { ArqonClientError } from '../../src/client/index.js';
import { startTestNode } from '../helpers/test-node.js';
import { newClient } from './client-fixtures.js';

t.test('client history - pages a room on a real node, without joining it', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const client = newClient({ url: server.url, token: await server.token({ sub: 'sdk' }) });
  t.teardown(() => client.close());
  await client.connect();
  for (let n = 1; n <= 4; n++) await client.publish('h.sdk', { n }, { headers: { h: `${n}` } });
  const latest = await client.history('h.sdk', { limit: 2 });
  t.match(latest, { epoch: String, offset: 4, more: true, recovered: true });
  t.same(
    latest.messages.map((m) => m.offset),
    [3, 4],
  );
  t.match(latest.messages[0], {
    room: 'h.sdk',
    id: `${latest.epoch}:3`,
    from: 'sdk',
    data: { n: 3 },
    headers: { h: '3' },
  });
  const before = await client.history('h.sdk', { before: 3 });
  t.same(
    before.messages.map((m) => m.offset),
    [1, 2],
  );
  const since = await client.history('h.sdk', { since: { epoch: latest.epoch, offset: 3 } });
  t.same(
    since.messages.map((m) => m.data),
    [{ n: 4 }],
  );
  const fromTime = await client.history('h.sdk', { since: { ts: 0 } });
  t.equal(fromTime.messages.length, 4);
  const lost = await client.history('h.sdk', { since: { epoch: 'other', offset: 1 } });
  t.match(lost, { messages: [], more: false, recovered: false });
  t.notOk(client.room('h.sdk').joined, 'still not a member');
});

t.test('client history - bad options are refused before anything is sent', async (t) => {
  const client = newClient({ url: 'ws://127.0.0.1:1/ws', token: 'x' });
  t.teardown(() => client.close());
  for (const [options, what] of [
    [{ limit: 0 }, 'limit 0'],
    [{ limit: 1001 }, 'limit over 1000'],
    [{ before: -1 }, 'a negative before'],
    [{ since: { ts: 1 }, before: 2 }, 'since and before'],
    [{ since: { epoch: '', offset: 1 } }, 'an empty epoch'],
  ] as const) {
    await t.rejects(
      client.history('r', options as never),
      new ArqonClientError('ARQ_CLIENT_INVALID_ARGUMENT', ''),
      what,
    );
  }
});
