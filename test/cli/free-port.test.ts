import { createServer } from 'node:net';
import t from 'tap';
import { freePort } from '../../src/cli/index.js';

t.test('free-port - the port can be listened on right after', async (t) => {
  const port = await freePort();
  t.ok(port > 0 && port < 65536, `port ${port}`);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
