import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CompactSign, errors, UnsecuredJWT } from 'jose';
import t, { type Test } from 'tap';
import {
  AuthError,
  type AuthErrorCode,
  DEFAULT_CLOCK_TOLERANCE_SEC,
  MAX_TOKEN_LENGTH,
  TokenVerifier,
  type TokenVerifierOptions,
} from '../../src/auth/index.js';
import {
  goodClaims,
  makeKeyPair,
  makeSecret,
  NOW_MS,
  NOW_SEC,
  type PairAlg,
  signRaw,
} from './test-keys.js';

const PAIR_ALGS: readonly PairAlg[] = ['RS256', 'ES256', 'EdDSA'];

function verifier(keys: TokenVerifierOptions['keys'], extra: Partial<TokenVerifierOptions> = {}) {
  return new TokenVerifier({ keys, now: () => NOW_MS, ...extra });
}

/** Asserts that `promise` rejects with an AuthError of `code` (and returns it). */
async function rejectsWith(
  t: Test,
  promise: Promise<unknown>,
  code: AuthErrorCode,
  what: string,
): Promise<AuthError | undefined> {
  try {
    await promise;
  } catch (err) {
    t.ok(err instanceof AuthError, `${what}: an AuthError`);
    t.equal((err as AuthError).code, code, `${what}: ${code}`);
    return err as AuthError;
  }
  t.fail(`${what}: expected ${code}, but it verified`);
  return undefined;
}

t.test('token verifier - accepts HS256, RS256, ES256 and EdDSA with the right key', async (t) => {
  const secret = await makeSecret();
  const hs = verifier([{ alg: 'HS256', secret }]);
  const principal = await hs.verify(await signRaw(secret, 'HS256', goodClaims()));
  t.equal(principal.sub, 'alice');
  t.equal(principal.tenant, 'acme');
  t.same(
    principal.rooms.map((p) => p.source),
    ['chat.*'],
  );
  t.same([...principal.caps].sort(), ['presence', 'publish']);
  t.equal(principal.expiresAtMs, (NOW_SEC + 3600) * 1000);
  t.equal(principal.issuedAtMs, NOW_MS);

  for (const alg of PAIR_ALGS) {
    const pair = await makeKeyPair(alg);
    // PEM for two algorithms, a KeyObject for the third: both inputs are supported.
    const publicKey = alg === 'ES256' ? createPublicKey(pair.publicPem) : pair.publicPem;
    const v = verifier([{ alg, publicKey }]);
    const p = await v.verify(
      await signRaw(pair.privateKey, alg, goodClaims({ sub: `svc-${alg}` })),
    );
    t.equal(p.sub, `svc-${alg}`, `${alg} accepted`);
    t.same(v.algorithms, [alg]);
  }
});

t.test(
  'token verifier - rejects a token signed with another key of the same algorithm',
  async (t) => {
    const secret = await makeSecret();
    const other = await makeSecret();
    const err = await rejectsWith(
      t,
      verifier([{ alg: 'HS256', secret }]).verify(await signRaw(other, 'HS256', goodClaims())),
      'ARQ_ERR_TOKEN_SIGNATURE',
      'HS256 other secret',
    );
    t.ok(err?.cause instanceof errors.JWSSignatureVerificationFailed, 'jose error kept as cause');
    t.equal(err?.isTokenRejection, true);
    for (const alg of PAIR_ALGS) {
      const pair = await makeKeyPair(alg);
      const attacker = await makeKeyPair(alg);
      await rejectsWith(
        t,
        verifier([{ alg, publicKey: pair.publicPem }]).verify(
          await signRaw(attacker.privateKey, alg, goodClaims()),
        ),
        'ARQ_ERR_TOKEN_SIGNATURE',
        `${alg} other key`,
      );
    }
  },
);

t.test('token verifier - rejects alg none', async (t) => {
  const secret = await makeSecret();
  const rsa = await makeKeyPair('RS256');
  const v = verifier([
    { alg: 'HS256', secret },
    { alg: 'RS256', publicKey: rsa.publicPem },
  ]);
  const unsecured = new UnsecuredJWT(goodClaims()).encode();
  t.match(unsecured, /\.$/, 'an unsecured JWT has an empty signature');
  await rejectsWith(t, v.verify(unsecured), 'ARQ_ERR_TOKEN_ALG', 'alg none');
  // The same with a signature part stuck on, and with other spellings of none.
  const [, payload] = unsecured.split('.');
  for (const alg of ['none', 'None', 'NONE']) {
    const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
    await rejectsWith(
      t,
      v.verify(`${header}.${payload}.c2lnbmF0dXJl`),
      'ARQ_ERR_TOKEN_ALG',
      `alg ${alg} with a signature`,
    );
  }
});

t.test(
  'token verifier - rejects HS256 signed with the RSA public key (alg confusion)',
  async (t) => {
    const rsa = await makeKeyPair('RS256');
    const pemBytes = new TextEncoder().encode(rsa.publicPem);
    const derBytes = new Uint8Array(
      createPublicKey(rsa.publicPem).export({ format: 'der', type: 'spki' }),
    );
    const forgedPem = await signRaw(pemBytes, 'HS256', goodClaims({ caps: ['admin'] }));
    const forgedDer = await signRaw(derBytes, 'HS256', goodClaims({ caps: ['admin'] }));

    const rsOnly = verifier([{ alg: 'RS256', publicKey: rsa.publicPem }]);
    await rejectsWith(
      t,
      rsOnly.verify(forgedPem),
      'ARQ_ERR_TOKEN_ALG',
      'RS256 only, PEM as secret',
    );
    await rejectsWith(
      t,
      rsOnly.verify(forgedDer),
      'ARQ_ERR_TOKEN_ALG',
      'RS256 only, DER as secret',
    );

    // With HS256 also configured, the HS256 token is checked against the real secret only.
    const both = verifier([
      { alg: 'HS256', secret: await makeSecret() },
      { alg: 'RS256', publicKey: rsa.publicPem },
    ]);
    await rejectsWith(t, both.verify(forgedPem), 'ARQ_ERR_TOKEN_SIGNATURE', 'HS256+RS256, PEM');
    await rejectsWith(t, both.verify(forgedDer), 'ARQ_ERR_TOKEN_SIGNATURE', 'HS256+RS256, DER');
    t.equal((await both.verify(await signRaw(rsa.privateKey, 'RS256', goodClaims()))).sub, 'alice');
  },
);

t.test('token verifier - rejects algorithms outside the configured list', async (t) => {
  const secret = await makeSecret();
  const rsa = await makeKeyPair('RS256');
  const ec = await makeKeyPair('ES256');
  const v = verifier([
    { alg: 'HS256', secret },
    { alg: 'RS256', publicKey: rsa.publicPem },
  ]);
  t.same([...v.algorithms].sort(), ['HS256', 'RS256']);
  await rejectsWith(
    t,
    v.verify(await signRaw(ec.privateKey, 'ES256', goodClaims())),
    'ARQ_ERR_TOKEN_ALG',
    'ES256 not configured',
  );
  await rejectsWith(
    t,
    v.verify(await signRaw(secret, 'HS512', goodClaims())),
    'ARQ_ERR_TOKEN_ALG',
    'HS512 with the right secret',
  );
  await rejectsWith(
    t,
    v.verify(await signRaw(createPrivateKey(rsa.privatePem), 'PS256', goodClaims())),
    'ARQ_ERR_TOKEN_ALG',
    'PS256 with the right RSA key',
  );
});

t.test('token verifier - exp and nbf with clock tolerance', async (t) => {
  const secret = await makeSecret();
  const v = verifier([{ alg: 'HS256', secret }]);
  const sign = (claims: Record<string, unknown>) => signRaw(secret, 'HS256', goodClaims(claims));
  t.equal(DEFAULT_CLOCK_TOLERANCE_SEC, 5);

  const expired = await rejectsWith(
    t,
    v.verify(await sign({ exp: NOW_SEC - 60 })),
    'ARQ_ERR_TOKEN_EXPIRED',
    'expired a minute ago',
  );
  t.ok(expired?.cause instanceof errors.JWTExpired, 'jose error kept as cause');
  await rejectsWith(
    t,
    v.verify(await sign({ exp: NOW_SEC - 6 })),
    'ARQ_ERR_TOKEN_EXPIRED',
    'just past the tolerance',
  );
  t.ok(await v.verify(await sign({ exp: NOW_SEC - 3 })), 'expired 3 s ago: within tolerance');

  await rejectsWith(
    t,
    v.verify(await sign({ nbf: NOW_SEC + 60 })),
    'ARQ_ERR_TOKEN_NOT_YET_VALID',
    'nbf a minute ahead',
  );
  t.ok(await v.verify(await sign({ nbf: NOW_SEC + 3 })), 'nbf 3 s ahead: within tolerance');

  const strict = verifier([{ alg: 'HS256', secret }], { clockToleranceSec: 0 });
  await rejectsWith(
    t,
    strict.verify(await sign({ exp: NOW_SEC - 3 })),
    'ARQ_ERR_TOKEN_EXPIRED',
    'no tolerance',
  );

  const noExp = await v.verify(await signRaw(secret, 'HS256', { sub: 'svc', tid: 'acme' }));
  t.equal(noExp.expiresAtMs, null, 'a token without exp does not expire');
  t.equal(noExp.issuedAtMs, null);
  await rejectsWith(
    t,
    v.verify(await sign({ exp: 'tomorrow' })),
    'ARQ_ERR_TOKEN_CLAIMS',
    'exp of the wrong type',
  );
});

t.test('token verifier - rejects missing or badly typed claims', async (t) => {
  const secret = await makeSecret();
  const v = verifier([{ alg: 'HS256', secret }]);
  const cases: Array<[string, Record<string, unknown>]> = [
    ['missing sub', { sub: undefined }],
    ['empty sub', { sub: '' }],
    ['numeric sub', { sub: 42 }],
    ['missing tid', { tid: undefined }],
    ['empty tid', { tid: '' }],
    ['tid with a dot', { tid: 'acme.eu' }],
    ['rooms a string', { rooms: 'chat.*' }],
    ['rooms with a number', { rooms: ['chat.*', 7] }],
    ['rooms with a bad pattern', { rooms: ['chat.>.x'] }],
    ['caps a string', { caps: 'admin' }],
    ['caps with an object', { caps: [{ cap: 'admin' }] }],
    ['unknown cap', { caps: ['root'] }],
    ['removing a non-default cap', { caps: ['-admin'] }],
    ['adding and removing a cap', { caps: ['publish', '-publish'] }],
  ];
  for (const [name, patch] of cases) {
    const claims = { ...goodClaims(), ...patch };
    for (const key of Object.keys(patch)) if (patch[key] === undefined) delete claims[key];
    await rejectsWith(
      t,
      v.verify(await signRaw(secret, 'HS256', claims)),
      'ARQ_ERR_TOKEN_CLAIMS',
      name,
    );
  }
  // verifyClaims checks signature and time only; the claims are read by principalFromClaims.
  const claims = await v.verifyClaims(await signRaw(secret, 'HS256', { tid: 'acme' }));
  t.equal(claims.tid, 'acme');
});

t.test('token verifier - garbage is rejected with a typed error, never a crash', async (t) => {
  const secret = await makeSecret();
  const rsa = await makeKeyPair('RS256');
  const v = verifier([
    { alg: 'HS256', secret },
    { alg: 'RS256', publicKey: rsa.publicPem },
  ]);
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  const junkPayload = await new CompactSign(new TextEncoder().encode('not json'))
    .setProtectedHeader({ alg: 'HS256' })
    .sign(secret);
  const garbage: Array<[string, unknown]> = [
    ['empty', ''],
    ['three dots', '...'],
    ['two dots', '..'],
    ['one word', 'token'],
    ['a.b.c', 'a.b.c'],
    ['random bytes', randomBytes(64).toString('latin1')],
    [
      'random base64url parts',
      `${randomBytes(20).toString('base64url')}.${randomBytes(20).toString('base64url')}.x`,
    ],
    ['five parts (JWE shape)', 'a.b.c.d.e'],
    ['header not JSON', `${b64('{alg')}.${b64('{}')}.sig`],
    ['header an array', `${b64('["HS256"]')}.${b64('{}')}.sig`],
    ['alg a number', `${b64('{"alg":256}')}.${b64('{}')}.sig`],
    ['kid a number', `${b64('{"alg":"HS256","kid":1}')}.${b64('{}')}.sig`],
    ['signed payload not JSON', junkPayload],
    ['too long', `${'a'.repeat(MAX_TOKEN_LENGTH)}.b.c`],
    ['not a string', null],
    ['a number', 12345],
  ];
  for (const [name, token] of garbage) {
    await rejectsWith(t, v.verify(token as string), 'ARQ_ERR_TOKEN_MALFORMED', name);
  }
  await rejectsWith(
    t,
    v.verify(`${b64('{"alg":"HS256"}')}.${b64('{"sub":"a","tid":"b"}')}.`),
    'ARQ_ERR_TOKEN_SIGNATURE',
    'HS256 with an empty signature',
  );

  // Any string at all: a typed token rejection, never anything else.
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.tuple(fc.base64String(), fc.base64String(), fc.string()).map((p) => p.join('.')),
        fc
          .array(fc.constantFrom('.', 'a', '-', '_', '=', 'e', 'y', 'J'), { maxLength: 60 })
          .map((c) => c.join('')),
      ),
      async (token) => {
        try {
          await v.verify(token);
          return false;
        } catch (err) {
          return err instanceof AuthError && err.isTokenRejection;
        }
      },
    ),
    { seed: 20_240_601, numRuns: 400 },
  );
});

t.test('token verifier - kid selects the key, a kid-less key is a fallback', async (t) => {
  const secretA = await makeSecret();
  const secretB = await makeSecret();
  const v = verifier([
    { alg: 'HS256', secret: secretA, kid: 'a' },
    { alg: 'HS256', secret: secretB, kid: 'b' },
  ]);
  t.equal(v.keyCount, 2);
  t.equal(
    (await v.verify(await signRaw(secretB, 'HS256', goodClaims(), { kid: 'b' }))).sub,
    'alice',
  );
  t.ok(
    await v.verify(await signRaw(secretA, 'HS256', goodClaims())),
    'no kid: every key of the alg is tried',
  );
  await rejectsWith(
    t,
    v.verify(await signRaw(secretA, 'HS256', goodClaims(), { kid: 'b' })),
    'ARQ_ERR_TOKEN_SIGNATURE',
    'signed by a, labelled b',
  );
  await rejectsWith(
    t,
    v.verify(await signRaw(secretA, 'HS256', goodClaims(), { kid: 'zzz' })),
    'ARQ_ERR_TOKEN_UNKNOWN_KEY',
    'unknown kid',
  );
  const plain = verifier([{ alg: 'HS256', secret: secretA }]);
  t.ok(
    await plain.verify(await signRaw(secretA, 'HS256', goodClaims(), { kid: 'any' })),
    'key without kid',
  );
});

t.test('token verifier - options are validated at construction', async (t) => {
  const secret = await makeSecret();
  const rsa = await makeKeyPair('RS256');
  const ec = await makeKeyPair('ES256');
  const weakRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
  const bad: Array<[string, unknown, RegExp]> = [
    ['no keys', { keys: [] }, /options\.keys must be a non-empty array/],
    ['keys missing', {}, /options\.keys/],
    [
      'short secret',
      { keys: [{ alg: 'HS256', secret: 'too-short' }] },
      /options\.keys\[0\]\.secret must be at least 32 bytes/,
    ],
    [
      'secret with RS256',
      { keys: [{ alg: 'RS256', secret }] },
      /options\.keys\[0\]\.alg must be HS256/,
    ],
    [
      'public key with HS256',
      { keys: [{ alg: 'HS256', publicKey: rsa.publicPem }] },
      /options\.keys\[0\]\.alg must be one of RS256/,
    ],
    ['two kinds', { keys: [{ alg: 'HS256', secret, publicKey: rsa.publicPem }] }, /exactly one of/],
    [
      'private key as public',
      { keys: [{ alg: 'RS256', publicKey: rsa.privatePem }] },
      /must be a public key/,
    ],
    [
      'garbage PEM',
      { keys: [{ alg: 'RS256', publicKey: 'not a key' }] },
      /not a readable PEM public key/,
    ],
    [
      'RSA key for ES256',
      { keys: [{ alg: 'ES256', publicKey: rsa.publicPem }] },
      /for ES256, an EC P-256 key, got rsa/,
    ],
    [
      'EC key for EdDSA',
      { keys: [{ alg: 'EdDSA', publicKey: ec.publicPem }] },
      /for EdDSA, an Ed25519 key/,
    ],
    [
      '1024-bit RSA',
      { keys: [{ alg: 'RS256', publicKey: weakRsa }] },
      /at least 2048 bits, got 1024/,
    ],
    ['unknown alg', { keys: [{ alg: 'HS384', secret }] }, /alg must be HS256/],
    ['empty kid', { keys: [{ alg: 'HS256', secret, kid: '' }] }, /kid must be a non-empty string/],
    [
      'negative tolerance',
      { keys: [{ alg: 'HS256', secret }], clockToleranceSec: -1 },
      /options\.clockToleranceSec must be a number from 0 to 300, got -1/,
    ],
    [
      'huge tolerance',
      { keys: [{ alg: 'HS256', secret }], clockToleranceSec: 3600 },
      /clockToleranceSec/,
    ],
  ];
  for (const [name, options, message] of bad) {
    t.throws(
      () => new TokenVerifier(options as TokenVerifierOptions),
      { code: 'ARQ_ERR_AUTH_OPTIONS', message },
      name,
    );
  }
  t.ok(
    new TokenVerifier({
      keys: [{ alg: 'HS256', secret: 'a string secret of at least 32 bytes!' }],
    }),
  );
});

t.test('token verifier - a public key file is read once at construction', async (t) => {
  const rsa = await makeKeyPair('RS256');
  const dir = mkdtempSync(join(tmpdir(), 'arq-pem-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'rsa.pem');
  writeFileSync(good, rsa.publicPem);
  const v = verifier([{ alg: 'RS256', publicKeyFile: good }]);
  t.same(v.algorithms, ['RS256']);
  const token = await signRaw(rsa.privateKey, 'RS256', goodClaims());
  t.match(await v.verify(token), { tenant: 'acme' }, 'verifies with the key from the file');
  const garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, 'not a key');
  const bad: Array<[string, unknown, RegExp]> = [
    [join(dir, 'missing.pem'), 'RS256', /missing\.pem" cannot be read \(ENOENT/],
    [garbage, 'RS256', /garbage\.pem" is not a readable PEM public key/],
    [good, 'ES256', /rsa\.pem" must be, for ES256, an EC P-256 key, got rsa/],
    ['', 'RS256', /publicKeyFile must be a file path/],
  ];
  for (const [publicKeyFile, alg, message] of bad) {
    t.throws(
      () => new TokenVerifier({ keys: [{ alg, publicKeyFile } as never] }),
      { code: 'ARQ_ERR_AUTH_OPTIONS', message },
      `${publicKeyFile} for ${alg}`,
    );
  }
});

t.test('token verifier - an options error names its field apart from the problem', async (t) => {
  const rsa = await makeKeyPair('RS256');
  const secret = await makeSecret();
  const cases: Array<[unknown, { path: string; problem: RegExp }]> = [
    [
      {
        keys: [
          { alg: 'HS256', secret },
          { alg: 'HS256', secret: 'short' },
        ],
      },
      { path: 'keys[1].secret', problem: /^must be at least 32 bytes for HS256, got 5$/ },
    ],
    [
      { keys: [{ alg: 'EdDSA', publicKey: rsa.publicPem }] },
      { path: 'keys[0].publicKey', problem: /^must be, for EdDSA, an Ed25519 key, got rsa$/ },
    ],
    [
      { keys: [{ jwksFile: '/nonexistent/jwks.json' }] },
      { path: 'keys[0].jwksFile', problem: /^JWKS file "\/nonexistent\/jwks.json" cannot be read/ },
    ],
    [
      { keys: [{ jwksFile: '/x.json', algs: ['HS256'] }] },
      { path: 'keys[0].algs', problem: /^must be a non-empty list/ },
    ],
    [
      { keys: [{ alg: 'HS256', secret }], clockToleranceSec: 301 },
      { path: 'clockToleranceSec', problem: /^must be a number from 0 to 300, got 301$/ },
    ],
  ];
  for (const [options, fault] of cases) {
    const err = t.throws(() => new TokenVerifier(options as TokenVerifierOptions));
    t.ok(err instanceof AuthError, fault.path);
    t.equal((err as AuthError).fault?.path, fault.path);
    t.match((err as AuthError).fault?.problem, fault.problem);
    t.ok(
      (err as AuthError).message.startsWith(`options.${fault.path}`),
      'the message leads with it',
    );
  }
});
