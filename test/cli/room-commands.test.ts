import { spawn } from 'node:child_process';
import t from 'tap';
import { http } from '../helpers/http.js';
import { runCli } from '../helpers/run-cli.js';
import { CLI_PATH, startTestNode } from '../helpers/test-node.js';
import { waitFor } from '../helpers/wait-for.js';

t.test('cli - arq pub, sub and tail move messages through a real node', async (t) => {
  const server = await startTestNode();
  t.teardown(() => server.close());
  const env = { ARQ_URL: server.url, ARQ_TOKEN: await server.token({ sub: 'cli' }) };
  for (let i = 1; i <= 3; i++) {
    const pub = await runCli(['pub', '--room', 'news', '--data', JSON.stringify({ n: i })], env);
    t.equal(pub.code, 0, pub.stderr);
    t.match(JSON.parse(pub.stdout), { offset: i });
  }
  const sub = spawn(process.execPath, [CLI_PATH, 'tail', '--room', 'news', '--lines', '2'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => sub.kill('SIGKILL'));
  let out = '';
  sub.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const lines = (): { offset: number; data: { n: number } }[] =>
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  await waitFor(() => lines().length >= 2, 'the replayed tail');
  t.same(
    lines().map((m) => m.data.n),
    [2, 3],
    'tail replays the last two messages',
  );
  await runCli(['pub', '--room', 'news', '--data', '{"n":4}'], env);
  await waitFor(() => lines().length >= 3, 'the live message');
  t.match(lines()[2], { room: 'news', offset: 4, data: { n: 4 }, from: 'cli' }, 'then follows');
  sub.kill('SIGINT');
  const metrics = await http(`${server.http}/metrics`);
  t.match(metrics.text, /arq_rooms\{node="[^"]+"\} 1/, 'the rooms gauge counts the live room');
});

t.test('cli - arq pub without a token is a usage error', async (t) => {
  const run = await runCli(['pub', '--room', 'news', '--data', '1'], { ARQ_TOKEN: '' });
  t.equal(run.code, 2);
  t.match(run.stderr, /--token/);
});
