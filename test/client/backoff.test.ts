import t from 'tap';
import { Backoff, DEFAULT_BACKOFF } from '../../src/client/index.js';

const options = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 1 };

t.test('backoff - full jitter scales the exponential cap by the random draw', async (t) => {
  const draws = [0.5, 0.25, 1 - Number.EPSILON, 0, 0.5, 0.5];
  const backoff = new Backoff(options, () => draws.shift() as number);
  const delays = [1, 2, 3, 4, 5, 6].map(() => backoff.next());
  // caps: 100, 200, 400, 800, 1000 (max), 1000
  t.same(delays.slice(0, 2), [50, 50]);
  t.ok(delays[2]! > 399.99 && delays[2]! < 400);
  t.same(delays.slice(3), [0, 500, 500]);
  t.equal(backoff.attempt, 6);
});

t.test('backoff - no jitter gives the caps exactly; reset starts over', async (t) => {
  const backoff = new Backoff({ ...options, jitter: 0 }, () => 0.123);
  t.same(
    [1, 2, 3, 4, 5].map(() => backoff.next()),
    [100, 200, 400, 800, 1000],
  );
  backoff.reset();
  t.equal(backoff.attempt, 0);
  t.equal(backoff.next(), 100);
});

t.test('backoff - partial jitter keeps delays in [cap * (1 - jitter), cap]', async (t) => {
  const low = new Backoff({ ...options, jitter: 0.25 }, () => 0);
  const high = new Backoff({ ...options, jitter: 0.25 }, () => 1);
  t.equal(low.next(), 75);
  t.equal(high.next(), 100);
});

t.test('backoff - huge attempt counts stay at the cap; a zero start stays zero', async (t) => {
  const backoff = new Backoff({ ...options, jitter: 0 }, () => 0);
  for (let i = 0; i < 5000; i++) backoff.next();
  t.equal(backoff.next(), 1000);
  const zero = new Backoff({ ...options, initialDelayMs: 0, jitter: 0 }, () => 0);
  const delays = Array.from({ length: 5000 }, () => zero.next());
  t.ok(delays.every((delay) => delay === 0));
});

t.test('backoff - the defaults are full jitter from 500 ms to 30 s', async (t) => {
  t.same(DEFAULT_BACKOFF, { initialDelayMs: 500, maxDelayMs: 30_000, factor: 2, jitter: 1 });
  t.ok(Object.isFrozen(DEFAULT_BACKOFF));
});
