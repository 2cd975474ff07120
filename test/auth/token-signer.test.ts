import { createPrivateKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import t from 'tap';
import {
  AuthError,
  DEFAULT_TOKEN_TTL,
  generateDevSecret,
  MIN_HS256_SECRET_BYTES,
  signToken,
  TokenSigner,
  TokenVerifier,
  type TokenVerifierOptions,
} from '../../src/auth/index.js';
import { makeKeyPair, makeSecret, NOW_MS, NOW_SEC } from './test-keys.js';

t.test('token signer - round trip through the verifier, for each algorithm', async (t) => {
  const secret = generateDevSecret();
  const pairs = await Promise.all([
    makeKeyPair('RS256'),
    makeKeyPair('ES256'),
    makeKeyPair('EdDSA'),
  ]);
  const setups: Array<[string, TokenSigner, TokenVerifierOptions['keys'][number]]> = [
    ['HS256', new TokenSigner({ secret }), { alg: 'HS256', secret }],
    ...pairs.map(
      (pair) =>
        [
          pair.alg,
          new TokenSigner({ alg: pair.alg, privateKey: pair.privatePem, kid: `kid-${pair.alg}` }),
          { alg: pair.alg, publicKey: pair.publicPem, kid: `kid-${pair.alg}` },
        ] as [string, TokenSigner, TokenVerifierOptions['keys'][number]],
    ),
  ];
  for (const [alg, signer, key] of setups) {
    t.equal(signer.alg, alg);
    const token = await signer.sign({
      tenant: 'acme',
      sub: 'bob',
      rooms: ['chat.*', 'game.>'],
      caps: ['server', '-presence'],
      ttl: '30m',
      nowMs: NOW_MS,
    });
    const header = decodeProtectedHeader(token);
    t.equal(header.alg, alg);
    t.equal(header.typ, 'JWT');
    t.equal(header.kid, alg === 'HS256' ? undefined : `kid-${alg}`);
    const principal = await new TokenVerifier({ keys: [key], now: () => NOW_MS }).verify(token);
    t.equal(principal.sub, 'bob', `${alg}: sub`);
    t.equal(principal.tenant, 'acme');
    t.same(
      principal.rooms.map((r) => r.source),
      ['chat.*', 'game.>'],
    );
    t.same([...principal.caps].sort(), ['publish', 'server']);
    t.equal(principal.issuedAtMs, NOW_MS);
    t.equal(principal.expiresAtMs, NOW_MS + 30 * 60 * 1000);
  }
});

t.test('token signer - signToken, defaults and claim layout', async (t) => {
  const secret = await makeSecret();
  const token = await signToken({ secret, tenant: 't1', sub: 'svc', nowMs: NOW_MS });
  const claims = decodeJwt(token);
  t.same(Object.keys(claims).sort(), ['exp', 'iat', 'sub', 'tid'], 'no rooms or caps unless given');
  t.equal(DEFAULT_TOKEN_TTL, '1h');
  t.equal(claims.exp, NOW_SEC + 3600);
  const principal = await new TokenVerifier({
    keys: [{ alg: 'HS256', secret }],
    now: () => NOW_MS,
  }).verify(token);
  t.same(principal.rooms, []);
  t.same([...principal.caps].sort(), ['presence', 'publish']);

  const short = decodeJwt(
    await signToken({ secret, tenant: 't', sub: 's', ttl: 15, nowMs: NOW_MS }),
  );
  t.equal(short.exp, NOW_SEC + 15);
  const live = decodeJwt(await signToken({ secret, tenant: 't', sub: 's' }));
  t.ok(Math.abs((live.iat ?? 0) * 1000 - Date.now()) < 60_000, 'iat defaults to now');

  const viaKeyObject = await signToken({
    alg: 'ES256',
    privateKey: createPrivateKey((await makeKeyPair('ES256')).privatePem),
    tenant: 't',
    sub: 's',
  });
  t.equal(decodeProtectedHeader(viaKeyObject).alg, 'ES256');
});

t.test('token signer - options are checked before signing', async (t) => {
  const secret = generateDevSecret();
  const rsa = await makeKeyPair('RS256');
  const claims = { tenant: 'acme', sub: 'bob' };
  const badKeys: Array<[string, unknown, RegExp]> = [
    ['neither', {}, /exactly one of secret or privateKey/],
    ['both', { secret, privateKey: rsa.privatePem, alg: 'RS256' }, /exactly one of/],
    ['short secret', { secret: 'short' }, /options\.secret must be at least 32 bytes/],
    ['secret with RS256', { secret, alg: 'RS256' }, /options\.alg must be HS256 with a secret/],
    [
      'private key without alg',
      { privateKey: rsa.privatePem },
      /options\.alg must be one of RS256, ES256, EdDSA/,
    ],
    [
      'public key as private',
      { privateKey: rsa.publicPem, alg: 'RS256' },
      /not a readable PEM private key/,
    ],
    [
      'RSA key for EdDSA',
      { privateKey: rsa.privatePem, alg: 'EdDSA' },
      /for EdDSA, an Ed25519 key, got rsa/,
    ],
    ['empty kid', { secret, kid: '' }, /options\.kid must be a non-empty string/],
  ];
  for (const [name, options, message] of badKeys) {
    t.throws(
      () => new TokenSigner(options as never),
      { code: 'ARQ_ERR_AUTH_OPTIONS', message },
      name,
    );
  }
  const signer = new TokenSigner({ secret });
  const badClaims: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no tenant', { sub: 'bob' }, /options\.tenant must be/],
    ['tenant with a dot', { ...claims, tenant: 'a.b' }, /options\.tenant/],
    ['empty sub', { ...claims, sub: '' }, /options\.sub must be a non-empty string/],
    [
      'bad room pattern',
      { ...claims, rooms: ['chat.>.x'] },
      /options\.rooms\[0\]: room pattern "chat\.>\.x"/,
    ],
    ['rooms not a list', { ...claims, rooms: 'chat.*' }, /options\.rooms must be an array/],
    ['unknown cap', { ...claims, caps: ['root'] }, /options\.caps\[0\] "root" is not a known cap/],
    ['bad ttl', { ...claims, ttl: '1h ago' }, /options\.ttl must be a positive whole number/],
    ['zero ttl', { ...claims, ttl: 0 }, /options\.ttl/],
    ['bad nowMs', { ...claims, nowMs: Number.NaN }, /options\.nowMs must be a finite number/],
  ];
  for (const [name, bad, message] of badClaims) {
    await t.rejects(signer.sign(bad as never), { code: 'ARQ_ERR_AUTH_OPTIONS', message }, name);
  }
  await t.rejects(signer.sign({ ...claims, caps: ['x'] }), AuthError);
});

t.test('token signer - dev secrets are random, long enough and base64url', async (t) => {
  const a = generateDevSecret();
  const b = generateDevSecret();
  t.not(a, b);
  t.match(a, /^[A-Za-z0-9_-]{43}$/);
  t.equal(Buffer.from(a, 'base64url').length, 32);
  t.ok(Buffer.byteLength(a) >= MIN_HS256_SECRET_BYTES, 'usable as an HS256 secret as is');
});
