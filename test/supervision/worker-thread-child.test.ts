import type { Worker } from 'node:worker_threads';
import t from 'tap';
import {
  type Child,
  DEFAULT_READY_TIMEOUT_MS,
  type ExitReason,
  type SupervisionEvent,
  Supervisor,
  SupervisorError,
  workerThreadChild,
} from '../../supervision/index.js';
import type { TestCommand, TestWorkerMode } from './fixtures/test-worker.js';
import { waitFor } from './fixtures/wait-for.js';

const FIXTURE = new URL('./fixtures/test-worker.js', import.meta.url);
// Generous: thread start-up on a loaded 2-core machine is slow; no test waits this long on success.
const READY_TIMEOUT_MS = 30_000;
// Without the test runner's --import hooks, which cost each thread over a second to load.
const EXEC_ARGV: readonly string[] = [];

/** A worker spec's start plus every Worker it created, newest last. */
function workerStart(mode: TestWorkerMode, readyTimeoutMs = READY_TIMEOUT_MS) {
  const workers: Worker[] = [];
  const start = workerThreadChild({
    filename: FIXTURE,
    workerData: { mode },
    readyTimeoutMs,
    execArgv: EXEC_ARGV,
    onWorker: (worker) => workers.push(worker),
  });
  return { start, workers };
}

function send(worker: Worker, command: TestCommand): void {
  worker.postMessage(command);
}

function codeOf(reason: ExitReason): unknown {
  return reason.type === 'error' && reason.error instanceof SupervisorError
    ? reason.error.code
    : undefined;
}

function exits(events: readonly SupervisionEvent[], id: string): ExitReason[] {
  return events.flatMap((e) => (e.type === 'child_exited' && e.id === id ? [e.reason] : []));
}

t.test('worker thread child - start resolves once ready; stop ends it gracefully', async (t) => {
  const { start, workers } = workerStart('graceful');
  const child = await start();
  t.equal(workers.length, 1, 'onWorker saw the new Worker');
  const reports: unknown[] = [];
  workers[0]!.on('message', (message) => reports.push(message));
  child.stop();
  child.stop(); // idempotent
  t.same(await child.exited, { type: 'shutdown' });
  t.same(reports, [{ type: 'test:cleaned-up' }], 'the stop handler ran before the thread ended');
});

t.test('worker thread child - kill() terminates it with killed', async (t) => {
  const { start } = workerStart('graceful');
  const child = await start();
  child.kill();
  child.kill();
  t.same(await child.exited, { type: 'killed' });
});

t.test('worker thread child - exit reasons of a worker that ends on its own', async (t) => {
  const { start, workers } = workerStart('graceful');
  const clean = await start();
  send(workers[0]!, { type: 'test:exit', code: 0 });
  t.same(await clean.exited, { type: 'normal' }, 'exit code 0 without stop is normal');

  const failing = await start();
  send(workers[1]!, { type: 'test:exit', code: 3 });
  const reason = await failing.exited;
  t.equal(codeOf(reason), 'ARQ_ERR_WORKER_EXIT');
  t.match((reason as { error: Error }).error.message, /exited with code 3/);

  const crashing = await start();
  send(workers[2]!, { type: 'test:crash', message: 'uncaught in worker' });
  const crash = await crashing.exited;
  t.equal(crash.type, 'error');
  t.match((crash as { error: Error }).error, { message: 'uncaught in worker' });

  const outside = await start();
  await workers[3]!.terminate(); // someone other than the supervisor
  t.equal(codeOf(await outside.exited), 'ARQ_ERR_WORKER_EXIT');
});

t.test(
  'worker thread child - start fails if the worker errors, exits or is never ready',
  async (t) => {
    const thrower = workerStart('throw-before-ready');
    const error = await thrower.start().catch((e: unknown) => e);
    t.equal((error as SupervisorError).code, 'ARQ_ERR_WORKER_START');
    t.match((error as SupervisorError).cause, { message: 'failed to initialise' });

    await t.rejects(workerStart('exit-before-ready').start(), {
      code: 'ARQ_ERR_WORKER_START',
      message: /exited with code 0 before it was ready/,
    });

    let threadEnded = false;
    const start = workerThreadChild({
      filename: FIXTURE,
      workerData: { mode: 'never-ready' },
      readyTimeoutMs: 200,
      onWorker: (worker) =>
        worker.once('exit', () => {
          threadEnded = true;
        }),
    });
    await t.rejects(start(), { code: 'ARQ_ERR_WORKER_READY_TIMEOUT', message: /within 200 ms/ });
    t.ok(threadEnded, 'the thread is gone before start() rejects');
  },
);

t.test('worker thread child - a worker terminated from outside is restarted', async (t) => {
  const events: SupervisionEvent[] = [];
  const { start, workers } = workerStart('graceful');
  const supervisor = new Supervisor({
    strategy: 'one_for_one',
    onEvent: (event) => events.push(event),
    children: [{ id: 'shard', start }],
  });
  await supervisor.start();
  const first = workers[0]!;
  await first.terminate();
  await waitFor(() => events.some((e) => e.type === 'child_restarted'), 'shard restarted');
  t.equal(workers.length, 2, 'a new thread');
  t.not(workers[1]!.threadId, first.threadId);
  t.equal(codeOf(exits(events, 'shard')[0]!), 'ARQ_ERR_WORKER_EXIT');
  await supervisor.stop();
  t.same(exits(events, 'shard')[1], { type: 'shutdown' }, 'stop ends the new one gracefully');
});

t.test('worker thread child - a worker with an uncaught error is restarted', async (t) => {
  const events: SupervisionEvent[] = [];
  const { start, workers } = workerStart('graceful');
  const supervisor = new Supervisor({
    strategy: 'one_for_one',
    onEvent: (event) => events.push(event),
    children: [{ id: 'shard', start }],
  });
  await supervisor.start();
  send(workers[0]!, { type: 'test:crash', message: 'shard blew up' });
  await waitFor(() => events.some((e) => e.type === 'child_restarted'), 'shard restarted');
  t.match(exits(events, 'shard')[0], { type: 'error', error: { message: 'shard blew up' } });
  t.equal(workers.length, 2);
  await supervisor.stop();
});

t.test(
  'worker thread child - a worker that ignores stop is killed after its shutdown timeout',
  async (t) => {
    const events: SupervisionEvent[] = [];
    const { start } = workerStart('stubborn');
    const supervisor = new Supervisor({
      strategy: 'one_for_one',
      onEvent: (event) => events.push(event),
      children: [{ id: 'shard', start, shutdown: 200 }],
    });
    await supervisor.start();
    await supervisor.stop();
    t.same(exits(events, 'shard'), [{ type: 'killed' }]);
  },
);

t.test('worker thread child - a crash-looping worker trips the restart intensity', async (t) => {
  const events: SupervisionEvent[] = [];
  const { start, workers } = workerStart('crash-after-ready');
  const supervisor = new Supervisor({
    strategy: 'one_for_one',
    maxRestarts: 2,
    periodMs: 600_000,
    onEvent: (event) => events.push(event),
    children: [{ id: 'shard', start }],
  });
  await supervisor.start();
  const reason = await supervisor.exited;
  t.equal(codeOf(reason), 'ARQ_ERR_RESTART_INTENSITY');
  t.equal(workers.length, 3, 'the first start and two restarts');
  t.ok(
    exits(events, 'shard').every((r) => r.type === 'error'),
    'every run ended with its uncaught error',
  );
});

t.test('worker thread child - validates its options', async (t) => {
  t.equal(DEFAULT_READY_TIMEOUT_MS, 10_000);
  t.throws(() => workerThreadChild({ filename: '' }), {
    code: 'ARQ_ERR_SUPERVISOR_OPTIONS',
    message: /options\.filename must be a non-empty string or a URL/,
  });
  t.throws(
    () => workerThreadChild({ filename: FIXTURE, readyTimeoutMs: 0 }),
    /options\.readyTimeoutMs/,
  );
  t.throws(
    () => workerThreadChild({ filename: FIXTURE, onWorker: 'x' as never }),
    /options\.onWorker must be a function/,
  );
  t.throws(
    () => workerThreadChild({ filename: FIXTURE, execArgv: [1] as never }),
    /options\.execArgv must be an array of strings/,
  );
  const child: Child = await workerStart('graceful').start();
  child.stop();
  await child.exited;
});
