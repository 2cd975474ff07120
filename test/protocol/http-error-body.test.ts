import t from 'tap';
import { httpErrorBody } from '../../proto/wire/index.js';

t.test('http error body - is the JSON error envelope of the contract', async (t) => {
  const body = httpErrorBody('unauthorized', 'token "expired"');
  t.equal(body, '{"error":{"code":"unauthorized","message":"token \\"expired\\""}}');
  t.same(JSON.parse(body), { error: { code: 'unauthorized', message: 'token "expired"' } });
});
