import t from 'tap';
import { ALL_CAPS, CapSet, DEFAULT_CAPS, MAX_CAPS_ENTRIES } from '../../src/auth/index.js';

const sorted = (caps: Iterable<string>) => [...caps].sort();

t.test('cap set - the caps claim adds to the defaults; -publish/-presence remove', async (t) => {
  t.same(DEFAULT_CAPS, ['publish', 'presence']);
  const table: Array<[unknown, string[]]> = [
    [undefined, ['presence', 'publish']],
    [[], ['presence', 'publish']],
    [['admin'], ['admin', 'presence', 'publish']],
    [
      ['server', 'admin'],
      ['admin', 'presence', 'publish', 'server'],
    ],
    [['publish'], ['presence', 'publish']],
    [['-publish'], ['presence']],
    [['-presence'], ['publish']],
    [['-publish', '-presence'], []],
    [['-publish', '-presence', 'server'], ['server']],
    [
      ['admin', 'admin'],
      ['admin', 'presence', 'publish'],
    ],
  ];
  for (const [claim, expected] of table) {
    t.same(sorted(CapSet.fromClaim(claim)), expected, JSON.stringify(claim) ?? 'absent');
  }
});

t.test('cap set - claims the node cannot honour exactly are refused', async (t) => {
  const bad: Array<[unknown, RegExp]> = [
    ['admin', /must be an array of strings/],
    [{ admin: true }, /must be an array of strings/],
    [null, /must be an array of strings/],
    [[1], /\[0\] must be a string/],
    [['root'], /"root" is not a known cap/],
    [['Admin'], /is not a known cap/],
    [['-admin'], /can only turn off a default cap/],
    [['-'], /can only turn off a default cap/],
    [['publish', '-publish'], /both adds and removes "publish"/],
    [Array(MAX_CAPS_ENTRIES + 1).fill('admin'), /at most 16 entries/],
  ];
  for (const [claim, message] of bad) {
    t.throws(
      () => CapSet.fromClaim(claim),
      { code: 'ARQ_ERR_TOKEN_CLAIMS', message },
      JSON.stringify(claim),
    );
  }
  t.throws(
    () => CapSet.fromClaim('x', 'options.caps'),
    { message: /^options\.caps / },
    'label used',
  );
});

t.test('cap set - is a read-only set', async (t) => {
  const caps = CapSet.fromClaim(['admin']);
  t.equal(caps.size, 3);
  t.ok(caps.has('admin'));
  t.notOk(caps.has('server'));
  t.same(sorted(caps.keys()), sorted(caps.values()));
  t.same(
    [...caps.entries()].map(([a, b]) => a === b),
    [true, true, true],
  );
  const seen: string[] = [];
  caps.forEach((cap, again, set) => {
    t.equal(cap, again);
    t.equal(set, caps);
    seen.push(cap);
  });
  t.same(sorted(seen), ['admin', 'presence', 'publish']);
  t.equal(Reflect.get(caps, 'add'), undefined, 'no add');
  t.equal(Reflect.get(caps, 'delete'), undefined, 'no delete');
  t.ok(Object.isFrozen(caps));
  t.same(sorted(JSON.parse(JSON.stringify(caps))), ['admin', 'presence', 'publish']);
  t.same(sorted(CapSet.defaults()), ['presence', 'publish']);
  t.ok(ALL_CAPS.every((cap) => typeof cap === 'string'));
});
