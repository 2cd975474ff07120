import { exportJWK, generateKeyPair } from 'jose';
import t from 'tap';
import { AuthError, TokenVerifier } from '../../src/auth/index.js';
import { goodClaims, makeKeyPair, makeSecret, NOW_MS, signRaw, writeJwks } from './test-keys.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'verified';
  } catch (err) {
    return err instanceof AuthError ? err.code : `not an AuthError: ${String(err)}`;
  }
}

t.test('jwks file - keys are selected by kid and bound to their algorithm', async (t) => {
  const k1 = await makeKeyPair('RS256');
  const k2 = await makeKeyPair('RS256');
  const k3 = await makeKeyPair('ES256');
  const enc = await makeKeyPair('RS256');
  const path = writeJwks(t, [
    { ...k1.publicJwk, kid: 'k1' },
    { ...k2.publicJwk, kid: 'k2', use: 'sig' },
    { ...k3.publicJwk, kid: 'k3', alg: 'ES256' },
    { ...enc.publicJwk, kid: 'enc', use: 'enc' },
    { ...enc.publicJwk, kid: 'rs512', alg: 'RS512' },
  ]);
  const v = new TokenVerifier({ keys: [{ jwksFile: path }], now: () => NOW_MS });
  t.equal(v.keyCount, 3, 'the enc key and the RS512 key are skipped');
  t.same([...v.algorithms].sort(), ['ES256', 'RS256']);

  const byK2 = await signRaw(k2.privateKey, 'RS256', goodClaims({ sub: 'k2' }), { kid: 'k2' });
  t.equal((await v.verify(byK2)).sub, 'k2', 'k2 selected by kid');
  const byK1 = await signRaw(k1.privateKey, 'RS256', goodClaims({ sub: 'k1' }), { kid: 'k1' });
  t.equal((await v.verify(byK1)).sub, 'k1', 'k1 selected by kid');
  t.equal(
    await codeOf(v.verify(await signRaw(k1.privateKey, 'RS256', goodClaims(), { kid: 'k2' }))),
    'ARQ_ERR_TOKEN_SIGNATURE',
    'signed by k1 but labelled k2: only k2 is tried',
  );
  t.equal(
    await codeOf(v.verify(await signRaw(k1.privateKey, 'RS256', goodClaims(), { kid: 'k9' }))),
    'ARQ_ERR_TOKEN_UNKNOWN_KEY',
  );
  t.equal(
    await codeOf(v.verify(await signRaw(k2.privateKey, 'RS256', goodClaims()))),
    'verified',
    'no kid: the keys of the token alg are tried in turn',
  );
  t.equal(
    await codeOf(v.verify(await signRaw(k3.privateKey, 'ES256', goodClaims(), { kid: 'k3' }))),
    'verified',
  );
  t.equal(
    await codeOf(v.verify(await signRaw(k3.privateKey, 'ES256', goodClaims(), { kid: 'k1' }))),
    'ARQ_ERR_TOKEN_UNKNOWN_KEY',
    'kid of a key bound to another algorithm',
  );
  t.equal(
    await codeOf(v.verify(await signRaw(enc.privateKey, 'RS256', goodClaims(), { kid: 'enc' }))),
    'ARQ_ERR_TOKEN_UNKNOWN_KEY',
    'an encryption key never verifies',
  );
  const confused = await signRaw(new TextEncoder().encode(k1.publicPem), 'HS256', goodClaims(), {
    kid: 'k1',
  });
  t.equal(await codeOf(v.verify(confused)), 'ARQ_ERR_TOKEN_ALG', 'HS256 with the public key');

  const rsOnly = new TokenVerifier({
    keys: [{ jwksFile: path, algs: ['RS256'] }],
    now: () => NOW_MS,
  });
  t.equal(rsOnly.keyCount, 2);
  t.equal(
    await codeOf(rsOnly.verify(await signRaw(k3.privateKey, 'ES256', goodClaims(), { kid: 'k3' }))),
    'ARQ_ERR_TOKEN_ALG',
    'algs narrows the accepted algorithms',
  );
});

t.test('jwks file - can be combined with an HS256 secret and EdDSA keys', async (t) => {
  const secret = await makeSecret();
  const ed = await makeKeyPair('EdDSA');
  const path = writeJwks(t, [{ ...ed.publicJwk, kid: 'ed' }]);
  const v = new TokenVerifier({
    keys: [{ alg: 'HS256', secret }, { jwksFile: path }],
    now: () => NOW_MS,
  });
  t.equal(await codeOf(v.verify(await signRaw(secret, 'HS256', goodClaims()))), 'verified');
  t.equal(
    await codeOf(v.verify(await signRaw(ed.privateKey, 'EdDSA', goodClaims(), { kid: 'ed' }))),
    'verified',
  );
});

t.test('jwks file - unusable files are refused at construction', async (t) => {
  const rsa = await makeKeyPair('RS256');
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const octJwk = { kty: 'oct', k: Buffer.from(await makeSecret()).toString('base64url') };
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', writeJwks(t, [], '{"keys": ['), /cannot be read as JSON/],
    [
      'no keys array',
      writeJwks(t, [], '{"kty":"RSA"}'),
      /must be a JSON object with a "keys" array/,
    ],
    ['a private key', writeJwks(t, [privateJwk]), /is a private key/],
    ['a symmetric key', writeJwks(t, [octJwk]), /is a symmetric key/],
    [
      'alg disagrees with key type',
      writeJwks(t, [{ ...rsa.publicJwk, alg: 'ES256' }]),
      /for ES256, an EC P-256 key, got rsa/,
    ],
    ['kid not a string', writeJwks(t, [{ ...rsa.publicJwk, kid: 7 }]), /kid must be a string/],
    ['broken key', writeJwks(t, [{ kty: 'RSA', n: 'AQAB' }]), /not a usable JWK/],
    ['no signing key', writeJwks(t, [{ ...rsa.publicJwk, use: 'enc' }]), /has no signing key/],
    ['entry not an object', writeJwks(t, ['RSA']), /keys\[0\] must be an object/],
    ['missing file', '/nonexistent/arq/jwks.json', /cannot be read as JSON \(ENOENT/],
  ];
  for (const [name, path, message] of cases) {
    t.throws(
      () => new TokenVerifier({ keys: [{ jwksFile: path }] }),
      { code: 'ARQ_ERR_AUTH_OPTIONS', message },
      name,
    );
  }
  const good = writeJwks(t, [rsa.publicJwk]);
  t.throws(
    () => new TokenVerifier({ keys: [{ jwksFile: good, algs: ['HS256'] }] }),
    { code: 'ARQ_ERR_AUTH_OPTIONS', message: /options\.keys\[0\]\.algs must be a non-empty list/ },
    'HS256 is never taken from a JWKS file',
  );
  t.throws(
    () => new TokenVerifier({ keys: [{ jwksFile: good, algs: [] }] }),
    { code: 'ARQ_ERR_AUTH_OPTIONS' },
    'empty algs',
  );
  t.throws(
    () => new TokenVerifier({ keys: [{ jwksFile: good, algs: ['ES256'] }] }),
    { code: 'ARQ_ERR_AUTH_OPTIONS', message: /has no signing key for ES256/ },
    'no key of the listed algs',
  );
});
