import { spawn } from 'node:child_process';
import t, { type Test } from 'tap';
import { http } from '../helpers/http.js';
import { startNatsServer } from '../helpers/nats-server.js';
import { runCli } from '../helpers/run-cli.js';
import { CLI_PATH, startTestNode } from '../helpers/test-node.js';
import { sleep, waitFor } from '../helpers/wait-for.js';

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

/** `arq tail` as a child process: its JSON lines and stderr so far; killed at teardown. */
function tail(t: Test, args: readonly string[], env: Record<string, string>) {
  const proc = spawn(process.execPath, [CLI_PATH, 'tail', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => proc.kill('SIGKILL'));
  let out = '';
  let err = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  proc.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  return {
    lines: (): { offset: number; data: { n: number } }[] =>
      out
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
    stderr: () => err,
  };
}

t.test(
  'cli - arq tail --since replays a durable room from a time, then follows',
  { timeout: 30_000 },
  async (t) => {
    const nats = await startNatsServer({ jetstream: true });
    t.teardown(() => nats.stop());
    const server = await startTestNode({ nats: nats.url, 'durable-rooms': 'd.>' });
    t.teardown(() => server.close());
    await server.node.whenReady();
    const env = { ARQ_URL: server.url, ARQ_TOKEN: await server.token({ sub: 'cli' }) };
    const publish = async (n: number): Promise<void> => {
      const pub = await runCli(['pub', '--room', 'd.log', '--data', JSON.stringify({ n })], env);
      t.equal(pub.code, 0, pub.stderr);
    };
    await publish(1);
    await sleep(30);
    const from = new Date().toISOString();
    await sleep(30);
    await publish(2);
    await publish(3);

    const fromTime = tail(t, ['--room', 'd.log', '--since', from], env);
    const everything = tail(t, ['--room', 'd.log', '--since', '1h'], env);
    await waitFor(() => fromTime.lines().length >= 2, 'the replay from the ISO time').catch(
      (err: unknown) => {
        // A tail that exited (e.g. its connection dropped before the join reply) says why here.
        throw new Error(`${String(err)}; tail stderr: ${fromTime.stderr()}`, { cause: err });
      },
    );
    await waitFor(() => everything.lines().length >= 3, 'the replay of the last hour').catch(
      (err: unknown) => {
        throw new Error(`${String(err)}; tail stderr: ${everything.stderr()}`, { cause: err });
      },
    );
    await publish(4);
    await waitFor(() => fromTime.lines().length >= 3, 'the live message');
    await waitFor(() => everything.lines().length >= 4, 'the live message');
    t.same(
      fromTime.lines().map((m) => m.data.n),
      [2, 3, 4],
      'from that time on, then live, each once',
    );
    t.same(
      everything.lines().map((m) => m.offset),
      [1, 2, 3, 4],
    );
    t.equal(fromTime.stderr(), '', 'nothing to warn about');
  },
);

t.test(
  'cli - arq tail --since past the kept window says so on stderr and follows',
  { timeout: 30_000 },
  async (t) => {
    const nats = await startNatsServer({ jetstream: true });
    t.teardown(() => nats.stop());
    const server = await startTestNode({
      nats: nats.url,
      'durable-rooms': 'd.>',
      'history-max-messages': '2',
    });
    t.teardown(() => server.close());
    await server.node.whenReady();
    const env = { ARQ_URL: server.url, ARQ_TOKEN: await server.token({ sub: 'cli' }) };
    for (let n = 1; n <= 3; n++) {
      const pub = await runCli(['pub', '--room', 'd.short', '--data', JSON.stringify({ n })], env);
      t.equal(pub.code, 0, pub.stderr);
    }
    const run = tail(t, ['--room', 'd.short', '--since', '1d'], env);
    await waitFor(() => run.stderr().includes('recovered: false'), 'the note on stderr');
    t.match(
      run.stderr(),
      /^arq: d\.short no longer keeps every message since \S+ \(recovered: false\)/,
    );
    t.equal(run.stderr().trim().split('\n').length, 1, 'one line');
    await runCli(['pub', '--room', 'd.short', '--data', '{"n":4}'], env);
    await waitFor(() => run.lines().length >= 1, 'the live message');
    t.same(
      run.lines().map((m) => m.data.n),
      [4],
      'what arrives from then on',
    );
  },
);

t.test('cli - arq tail refuses a bad --since, and --since with --lines', async (t) => {
  const env = { ARQ_TOKEN: 'unused', ARQ_URL: 'ws://127.0.0.1:1/ws' };
  const bad = await runCli(['tail', '--room', 'r', '--since', '10 minutes'], env);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^arq: --since must be a duration/);
  const both = await runCli(['tail', '--room', 'r', '--since', '10m', '--lines', '5'], env);
  t.equal(both.code, 2);
  t.match(both.stderr, /^arq: --since and --lines cannot be used together/);
  const sub = await runCli(['sub', '--room', 'r', '--since', '10m'], env);
  t.equal(sub.code, 2);
  t.match(sub.stderr, /--since is an option of arq tail/);
});
