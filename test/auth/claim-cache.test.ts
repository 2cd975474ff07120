import t from 'tap';
import {
  ClaimCache,
  DEFAULT_CLAIM_CACHE_ENTRIES,
  principalCaches,
  principalFromClaims,
  principalMayAccess,
} from '../../src/auth/index.js';

/** A compile function that counts its calls and returns a fresh object each time. */
function counting(): { compile: (claim: unknown) => { claim: unknown }; calls: () => number } {
  let calls = 0;
  return {
    compile: (claim) => {
      calls++;
      return { claim };
    },
    calls: () => calls,
  };
}

t.test('claim cache - an equal claim gets the value compiled first', async (t) => {
  const cache = new ClaimCache<{ claim: unknown }>();
  const c = counting();
  const first = cache.get(['a.*', 'b'], c.compile);
  t.equal(cache.get(['a.*', 'b'], c.compile), first, 'same object for an equal claim');
  t.equal(c.calls(), 1);
  t.not(cache.get(['b', 'a.*'], c.compile), first, 'another order is another claim');
  t.not(cache.get(['a.*'], c.compile), first);
  t.not(cache.get(['a.*,b'], c.compile), first, 'keys are exact, not joined text');
  t.equal(c.calls(), 4);
});

t.test('claim cache - only arrays of strings are cached; failures never', async (t) => {
  const cache = new ClaimCache<{ claim: unknown }>();
  const c = counting();
  for (const claim of [undefined, 'a', [1], ['a', null], { 0: 'a' }]) {
    const one = cache.get(claim, c.compile);
    t.not(cache.get(claim, c.compile), one, `${JSON.stringify(claim)} compiled each time`);
  }
  t.equal(cache.size, 0);
  const failing = (): never => {
    throw new Error('bad claim');
  };
  t.throws(() => cache.get(['x'], failing), /bad claim/);
  t.throws(() => cache.get(['x'], failing), /bad claim/, 'a failure is not remembered');
  t.equal(cache.size, 0);
});

t.test('claim cache - bounded: the least recently used claim goes first', async (t) => {
  const cache = new ClaimCache<{ claim: unknown }>(3);
  const c = counting();
  const a = cache.get(['a'], c.compile);
  cache.get(['b'], c.compile);
  cache.get(['c'], c.compile);
  t.equal(cache.get(['a'], c.compile), a, 'a used again: now the most recent');
  cache.get(['d'], c.compile);
  t.equal(cache.size, 3, 'never more than maxEntries');
  t.equal(cache.get(['a'], c.compile), a, 'a kept');
  const calls = c.calls();
  cache.get(['b'], c.compile);
  t.equal(c.calls(), calls + 1, 'b (least recently used) was dropped and is compiled again');
  for (let i = 0; i < 1000; i++) cache.get([`room-${i}`], c.compile);
  t.equal(cache.size, 3);
  const byDefault = new ClaimCache<{ claim: unknown }>();
  for (let i = 0; i < DEFAULT_CLAIM_CACHE_ENTRIES + 10; i++) byDefault.get([`r${i}`], c.compile);
  t.equal(byDefault.size, DEFAULT_CLAIM_CACHE_ENTRIES, 'the default bound');
});

t.test('claim cache - maxEntries is checked', async (t) => {
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    t.throws(() => new ClaimCache(bad), { code: 'ARQ_ERR_AUTH_OPTIONS', message: /maxEntries/ });
  }
});

t.test(
  'claim cache - principals share compiled claims only when the claims are equal',
  async (t) => {
    const caches = principalCaches();
    const alice = principalFromClaims({ sub: 'alice', tid: 'acme', rooms: ['acme.*'] }, caches);
    const bob = principalFromClaims({ sub: 'bob', tid: 'acme', rooms: ['acme.*'] }, caches);
    const eve = principalFromClaims({ sub: 'eve', tid: 'evil', rooms: ['evil.*'] }, caches);
    t.equal(bob.rooms, alice.rooms, 'same claim, same tenant: shared');
    t.equal(bob.caps, alice.caps, 'default caps shared');
    t.not(eve.rooms, alice.rooms, "another tenant's different claim is compiled for itself");
    t.ok(principalMayAccess(alice, 'acme.x'));
    t.notOk(principalMayAccess(eve, 'acme.x'), 'eve never gets acme patterns');
    t.ok(principalMayAccess(eve, 'evil.x'));
    t.notOk(principalMayAccess(alice, 'evil.x'));
    const admin = principalFromClaims({ sub: 'root', tid: 'acme', caps: ['admin'] }, caches);
    t.ok(admin.caps.has('admin'));
    t.notOk(alice.caps.has('admin'), 'a cached caps claim does not leak into the default');
    const narrow = principalFromClaims(
      { sub: 'carol', tid: 'acme', rooms: ['acme.*'], caps: ['-publish'] },
      caches,
    );
    t.notOk(narrow.caps.has('publish'));
    t.ok(alice.caps.has('publish'));
    t.ok(Object.isFrozen(alice.rooms), 'shared rooms are frozen');
    t.throws(
      () => principalFromClaims({ sub: 'x', tid: 'acme', rooms: ['a..b'] }, caches),
      { code: 'ARQ_ERR_TOKEN_CLAIMS' },
      'a bad claim still fails with a cache',
    );
  },
);
