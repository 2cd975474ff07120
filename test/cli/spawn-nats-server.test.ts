import { connect } from 'node:net';
import t from 'tap';
import { freePort, spawnNatsServer } from '../../src/cli/index.js';

t.test('spawn-nats-server - resolves once the server accepts clients', async (t) => {
  const port = await freePort();
  const child = await spawnNatsServer(['-a', '127.0.0.1', '-p', String(port)]);
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const accepted = await new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('INFO '));
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
  });
  t.ok(accepted, 'a client gets its INFO line');
});

t.test('spawn-nats-server - a server that exits at once rejects, its log quoted', async (t) => {
  await t.rejects(spawnNatsServer(['--no-such-flag']), {
    code: 'ARQ_ERR_CLI_NATS_SERVER',
    message: /nats-server exited during start[\s\S]*args: --no-such-flag[\s\S]*log:/,
  });
});
