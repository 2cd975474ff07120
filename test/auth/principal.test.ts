import t from 'tap';
import {
  isValidSubject,
  isValidTenantId,
  MAX_SUBJECT_LENGTH,
  MAX_TENANT_LENGTH,
  MAX_TOKEN_ROOMS,
  principalFromClaims,
  principalMayAccess,
} from '../../src/auth/index.js';

t.test('principal - built from claims, frozen', async (t) => {
  const p = principalFromClaims({
    sub: 'alice',
    tid: 'acme',
    rooms: ['chat.*', 'game.>'],
    caps: ['admin', '-presence'],
    exp: 1_700_003_600,
    iat: 1_700_000_000,
  });
  t.equal(p.sub, 'alice');
  t.equal(p.tenant, 'acme');
  t.same(
    p.rooms.map((r) => r.source),
    ['chat.*', 'game.>'],
  );
  t.same([...p.caps].sort(), ['admin', 'publish']);
  t.equal(p.expiresAtMs, 1_700_003_600_000);
  t.equal(p.issuedAtMs, 1_700_000_000_000);
  t.ok(Object.isFrozen(p), 'principal frozen');
  t.ok(Object.isFrozen(p.rooms), 'rooms frozen');
  t.throws(() => {
    (p as { sub: string }).sub = 'mallory';
  }, TypeError);

  const bare = principalFromClaims({ sub: 's', tid: 't' });
  t.same(bare.rooms, [], 'no rooms claim: no rooms');
  t.same([...bare.caps].sort(), ['presence', 'publish']);
  t.equal(bare.expiresAtMs, null);
  t.equal(bare.issuedAtMs, null);
});

t.test('principal - claims are checked', async (t) => {
  const base = { sub: 'alice', tid: 'acme' };
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ tid: 'acme' }, /claim "sub" must be a non-empty string/],
    [{ ...base, sub: '' }, /claim "sub"/],
    [{ ...base, sub: 'x'.repeat(MAX_SUBJECT_LENGTH + 1) }, /at most 256 characters/],
    [{ sub: 'alice' }, /claim "tid" must be 1-128 characters/],
    [{ ...base, tid: 'a.b' }, /claim "tid"/],
    [{ ...base, tid: ['acme'] }, /claim "tid"/],
    [{ ...base, rooms: {} }, /claim "rooms" must be an array/],
    [{ ...base, rooms: ['ok', ''] }, /claim "rooms"\[1\]: room pattern "" must not be empty/],
    [{ ...base, rooms: Array(MAX_TOKEN_ROOMS + 1).fill('a') }, /at most 100 patterns/],
    [{ ...base, caps: ['root'] }, /claim "caps"\[0\] "root" is not a known cap/],
    [{ ...base, exp: '1' }, /claim "exp" must be a number/],
  ];
  for (const [claims, message] of bad) {
    t.throws(
      () => principalFromClaims(claims),
      { code: 'ARQ_ERR_TOKEN_CLAIMS', message },
      String(message),
    );
  }
  try {
    principalFromClaims({ ...base, rooms: ['a..b'] });
    t.fail('should throw');
  } catch (err) {
    t.match((err as Error).cause, { code: 'ARQ_ERR_ROOM_PATTERN' }, 'pattern error kept as cause');
  }
});

t.test('principal - tenant and subject checks', async (t) => {
  t.ok(isValidTenantId('acme'));
  t.ok(isValidTenantId('t:1@x-y_z'));
  t.ok(isValidTenantId('x'.repeat(MAX_TENANT_LENGTH)));
  t.notOk(isValidTenantId('x'.repeat(MAX_TENANT_LENGTH + 1)));
  t.notOk(isValidTenantId(''));
  t.notOk(isValidTenantId('acme.eu'), 'a dot would let scoped room names collide');
  t.notOk(isValidTenantId('*'));
  t.ok(isValidSubject('user 42 <a@b>'), 'sub is free text');
  t.notOk(isValidSubject(''));
  t.notOk(isValidSubject(undefined));
});

t.test('principal - may access the rooms its patterns cover', async (t) => {
  const p = principalFromClaims({ sub: 'a', tid: 't', rooms: ['lobby', 'chat.*', 'game.>'] });
  const table: Array<[string, boolean]> = [
    ['lobby', true],
    ['lobby.x', false],
    ['chat.general', true],
    ['chat', false],
    ['chat.a.b', false],
    ['game.1', true],
    ['game.1.x', true],
    ['game', false],
    ['other', false],
    ['chat.*', false],
    ['', false],
  ];
  for (const [room, expected] of table) t.equal(principalMayAccess(p, room), expected, room);
  const none = principalFromClaims({ sub: 'a', tid: 't' });
  t.notOk(principalMayAccess(none, 'lobby'), 'no rooms claim: no access');
});
