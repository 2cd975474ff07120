import t from 'tap';
import { roomKeyOf } from '../../actors/index.js';
import {
  DEFAULT_HISTORY_MAX_MESSAGES,
  DurableRooms,
  durablePatternProblem,
  roomStoreSubject,
} from '../../src/storage/index.js';

t.test('durable rooms - patterns pick the rooms, in every tenant', async (t) => {
  const durable = new DurableRooms({ patterns: ['orders.>', 'chat.*', 'lobby'] });
  for (const tenant of ['t1', 'acme']) {
    t.ok(durable.isDurable(roomKeyOf(tenant, 'orders.1.items')), `${tenant}: orders.>`);
    t.ok(durable.isDurable(roomKeyOf(tenant, 'chat.general')), `${tenant}: chat.*`);
    t.ok(durable.isDurable(roomKeyOf(tenant, 'lobby')), `${tenant}: a literal room`);
    t.notOk(durable.isDurable(roomKeyOf(tenant, 'chat.a.b')), `${tenant}: * is one segment`);
    t.notOk(durable.isDurable(roomKeyOf(tenant, 'orders')), `${tenant}: > needs a segment`);
  }
  t.equal(durable.maxMessages, DEFAULT_HISTORY_MAX_MESSAGES);
});

t.test('durable rooms - bad patterns and limits are refused with the reason', async (t) => {
  t.match(durablePatternProblem(['ok.*', 'a.>.b']), /may use > only as the last segment/);
  t.equal(durablePatternProblem(['a.*', '>']), null);
  t.throws(() => new DurableRooms({ patterns: ['a..b'] }), {
    code: 'ARQ_ERR_STORAGE_OPTIONS',
    message: /empty segments/,
  });
  t.throws(() => new DurableRooms({ patterns: ['a'], maxMessages: 0 }), {
    code: 'ARQ_ERR_STORAGE_OPTIONS',
    message: /options.maxMessages must be an integer from 1/,
  });
  t.throws(() => new DurableRooms({ patterns: ['a'], maxBytes: 2 ** 32 }), {
    code: 'ARQ_ERR_STORAGE_OPTIONS',
  });
});

t.test('durable rooms - the tenant is the 4th token of a stored room subject', async (t) => {
  t.equal(roomStoreSubject('acme', 'chat.general'), 'arq.store.t.acme.r.chat.general');
  t.equal(roomStoreSubject('a b', 'x'), 'arq.store.t.a%20b.r.x', 'tokens are encoded');
});
