import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { AuthError, TokenVerifier } from '../../src/auth/index.js';
import { toOptionError } from '../../src/cli/to-option-error.js';
import { ConfigError, resolveConfig } from '../../src/config/index.js';
import { EdgeError } from '../../src/edge/index.js';
import { verifierOptions } from '../../src/node/index.js';
import { newSecret } from '../helpers/test-node.js';

const dir = mkdtempSync(join(tmpdir(), 'arq-to-option-error-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const pem = join(dir, 'rsa.pem');
writeFileSync(
  pem,
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString(),
);
const badJwks = join(dir, 'jwks.json');
writeFileSync(badJwks, '{"keys": "none"}');

/** What `arq start` does with these flags: build the verifier, trace its error back. */
function verifierErrorFor(flags: Record<string, string>, devSecret: string | null = null) {
  const { config, origins } = resolveConfig({ flags });
  try {
    new TokenVerifier(verifierOptions(config, devSecret));
  } catch (err) {
    return { err, mapped: toOptionError(err, { config, origins, devSecret }) };
  }
  throw new Error('the verifier took the keys');
}

t.test(
  'to option error - a verifier key is traced to its option whatever comes before it',
  async (t) => {
    const layouts: Array<[string, Record<string, string>, string | null]> = [
      ['jwks alone', { 'jwks-file': badJwks }, null],
      ['after the dev secret', { 'jwks-file': badJwks }, newSecret()],
      [
        'after a secret and a PEM key',
        {
          'jwt-secret': newSecret(),
          'jwt-public-key': pem,
          'jwt-alg': 'RS256',
          'jwks-file': badJwks,
        },
        null,
      ],
    ];
    for (const [what, flags, devSecret] of layouts) {
      const { err, mapped } = verifierErrorFor(flags, devSecret);
      t.ok(err instanceof AuthError, `${what}: the verifier threw`);
      t.ok(mapped instanceof ConfigError, `${what}: traced back`);
      t.equal(mapped?.option, 'jwks-file', what);
      t.equal(mapped?.cause, err, `${what}: the component's error is the cause`);
      t.match(
        mapped?.message,
        /^option jwks-file \(from flag --jwks-file\): JWKS file ".*jwks\.json" must be a JSON object/,
      );
    }
    const alg = verifierErrorFor({ 'jwt-public-key': pem, 'jwt-alg': 'ES256' }).mapped;
    t.match(
      alg?.message,
      /^option jwt-public-key \(from flag --jwt-public-key\): ".*rsa\.pem" must be, for ES256/,
    );
  },
);

t.test("to option error - errors that are no option's fault are left alone", async (t) => {
  const { config, origins } = resolveConfig({ flags: { 'jwt-secret': newSecret() } });
  const context = { config, origins, devSecret: null };
  t.equal(toOptionError(new Error('boom'), context), null);
  t.equal(toOptionError(new EdgeError('ARQ_ERR_EDGE_STATE', 'draining'), context), null);
  const connect = Object.assign(new Error('getaddrinfo ENOTFOUND x'), { syscall: 'getaddrinfo' });
  t.equal(toOptionError(connect, context), null, 'without nats, a failed lookup is not NATS');
  const listen = toOptionError(new EdgeError('ARQ_ERR_EDGE_LISTEN', 'cannot listen'), context);
  t.match(listen, {
    code: 'ARQ_ERR_CONFIG_UNUSABLE',
    message: /^options port \(default\) and host \(default\): cannot listen on 0\.0\.0\.0:7070/,
  });
});
