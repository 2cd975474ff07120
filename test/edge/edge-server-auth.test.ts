import t, { type Test } from 'tap';
import {
  type AsymmetricAlg,
  claims,
  makeKeyPair,
  sign,
  tempFile,
  unsignedToken,
} from '../helpers/jwt-keys.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { type Refusal, TestClient } from '../helpers/ws-client.js';

const ALGS: readonly AsymmetricAlg[] = ['RS256', 'ES256', 'EdDSA'];

function withToken(server: TestNode, token: string): string {
  return `${server.url}?token=${encodeURIComponent(token)}`;
}

/** A refusal as docs/protocol.md, "Tokens" has it: 401, the unauthorized body, no socket. */
function assertUnauthorized(t: Test, refusal: Refusal, what: string): void {
  t.equal(refusal.status, 401, `${what}: HTTP 401`);
  t.match(
    refusal.body,
    { error: { code: 'unauthorized', message: String } },
    `${what}: unauthorized body`,
  );
}

async function accepted(t: Test, server: TestNode, token: string, sub = 'alice'): Promise<void> {
  const { client, welcome } = await TestClient.open(withToken(server, token));
  t.match(welcome, { op: 'welcome', sub, tenant: 't1' });
  t.match(await client.request({ op: 'ping' }), { status: 'ok', body: { ts: Number } });
  client.close();
  await client.closed;
}

t.test('edge auth - HS256 accepted, by query and by Authorization header', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const secret = new TextEncoder().encode(server.secret);
  await accepted(t, server, await sign(secret, 'HS256', claims()));
  const { client, welcome } = await TestClient.open(server.url, {
    headers: { Authorization: `Bearer ${await sign(secret, 'HS256', claims({ sub: 'bob' }))}` },
  });
  t.match(welcome, { op: 'welcome', sub: 'bob' }, 'Bearer header');
  client.close();
  assertUnauthorized(
    t,
    await TestClient.refused(server.url, { headers: { Authorization: 'Bearer not.a.token' } }),
    'bad Bearer token',
  );
  assertUnauthorized(t, await TestClient.refused(server.url), 'no token at all');
});

for (const alg of ALGS) {
  t.test(`edge auth - ${alg} with jwt-public-key and with jwks-file`, async (t) => {
    const pair = await makeKeyPair(alg);
    const other = await makeKeyPair(alg);
    const pem = tempFile('key.pem', pair.publicPem);
    const jwks = tempFile(
      'jwks.json',
      JSON.stringify({ keys: [{ ...pair.publicJwk, kid: 'k1', alg }] }),
    );
    t.teardown(() => {
      pem.remove();
      jwks.remove();
    });
    const byPem = await startTestNode({
      'jwt-secret': false,
      'jwt-public-key': pem.path,
      'jwt-alg': alg,
    });
    t.teardown(() => byPem.close());
    const byJwks = await startTestNode({ 'jwt-secret': false, 'jwks-file': jwks.path });
    t.teardown(() => byJwks.close());

    await accepted(t, byPem, await sign(pair.privateKey, alg, claims()));
    await accepted(t, byJwks, await sign(pair.privateKey, alg, claims(), 'k1'));
    await accepted(t, byJwks, await sign(pair.privateKey, alg, claims({ sub: 'nokid' })), 'nokid');

    const wrongKey = await sign(other.privateKey, alg, claims());
    assertUnauthorized(t, await TestClient.refused(withToken(byPem, wrongKey)), 'wrong key (PEM)');
    assertUnauthorized(
      t,
      await TestClient.refused(withToken(byJwks, wrongKey)),
      'wrong key (JWKS)',
    );
    const hs = await sign(new TextEncoder().encode('x'.repeat(32)), 'HS256', claims());
    assertUnauthorized(
      t,
      await TestClient.refused(withToken(byPem, hs)),
      'HS256 on a public-key node',
    );
  });
}

t.test(
  'edge auth - HS256 signed with the RSA public key PEM is refused (alg confusion)',
  async (t) => {
    const pair = await makeKeyPair('RS256');
    const pem = tempFile('key.pem', pair.publicPem);
    t.teardown(pem.remove);
    const server = await startTestNode({
      'jwt-secret': false,
      'jwt-public-key': pem.path,
      'jwt-alg': 'RS256',
    });
    t.teardown(() => server.close());
    const forged = await sign(new TextEncoder().encode(pair.publicPem), 'HS256', claims());
    assertUnauthorized(t, await TestClient.refused(withToken(server, forged)), 'HS/RS confusion');
    await accepted(t, server, await sign(pair.privateKey, 'RS256', claims()));
  },
);

t.test('edge auth - every bad token is refused with 401 and no socket', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const secret = new TextEncoder().encode(server.secret);
  const now = Math.floor(Date.now() / 1000);
  const cases: [string, Promise<string> | string][] = [
    ['wrong secret', sign(new TextEncoder().encode('y'.repeat(40)), 'HS256', claims())],
    ['alg none', unsignedToken(claims())],
    ['expired', sign(secret, 'HS256', claims({ iat: now - 7200, exp: now - 3600 }))],
    ['not yet valid', sign(secret, 'HS256', claims({ nbf: now + 3600 }))],
    ['missing sub', sign(secret, 'HS256', claims({ sub: undefined }))],
    ['missing tid', sign(secret, 'HS256', claims({ tid: undefined }))],
    ['garbage', 'garbage'],
    ['three garbage parts', 'aaa.bbb.ccc'],
    ['empty token', ''],
  ];
  for (const [what, token] of cases) {
    assertUnauthorized(t, await TestClient.refused(withToken(server, await token)), what);
  }
  assertUnauthorized(
    t,
    await TestClient.refused(server.url, {
      headers: {
        Authorization: `Bearer ${await sign(secret, 'HS256', claims({ exp: now - 60 }))}`,
      },
    }),
    'expired in the Authorization header',
  );
  const { client } = await TestClient.connect(server.url, await server.token());
  t.teardown(() => client.close());
  t.match(await client.request({ op: 'ping' }), { status: 'ok' }, 'the node still serves');
});
