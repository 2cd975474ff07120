import t from 'tap';

t.test('package - the root entry embeds a node, arqonbus/client exports the SDK', async (t) => {
  // Imported by package name, as a user of the package would (resolved through package.json exports).
  const { ArqonNode, resolveNodeConfig, TokenSigner } = await import('arqonbus');
  const { ArqonClient } = await import('arqonbus/client');
  const secret = 'package-exports-test-secret-0123456789abcdef';
  const node = new ArqonNode({
    config: resolveNodeConfig({
      flags: {
        host: '127.0.0.1',
        port: '0',
        workers: '1',
        'jwt-secret': secret,
        'drain-timeout-ms': '0',
      },
    }),
    log: () => {},
  });
  const port = await node.start();
  t.teardown(() => node.drain());
  const token = await new TokenSigner({ secret }).sign({
    tenant: 'acme',
    sub: 'pkg',
    rooms: ['>'],
  });
  t.type(token, 'string');
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  t.equal(health.status, 200, 'the embedded node serves HTTP');
  t.type(ArqonClient, 'function', 'the SDK is exported from arqonbus/client');
});
