import t from 'tap';
import { LimitError, TokenBucket } from '../../actors/limits/index.js';

t.test('token bucket - allows a burst then the rate', async (t) => {
  const bucket = new TokenBucket(10, 3, 0);
  t.ok(bucket.tryTake(0));
  t.ok(bucket.tryTake(0));
  t.ok(bucket.tryTake(0));
  t.notOk(bucket.tryTake(0), 'burst spent');
  t.notOk(bucket.tryTake(50), 'half a token after 50 ms');
  t.ok(bucket.tryTake(100), 'one token after 100 ms at 10/s');
  t.equal(bucket.available(10_000), 3, 'never banks more than the burst');
});

t.test('token bucket - refund gives a token back', async (t) => {
  const bucket = new TokenBucket(1, 1, 0);
  t.ok(bucket.tryTake(0));
  bucket.refund();
  t.ok(bucket.tryTake(0));
});

t.test('token bucket - rejects invalid options', async (t) => {
  t.throws(() => new TokenBucket(0, 1, 0), LimitError);
  t.throws(() => new TokenBucket(1, 0, 0), /burst must be at least 1/);
});
