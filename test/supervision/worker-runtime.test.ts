import type { Worker } from 'node:worker_threads';
import t from 'tap';
import {
  onStopRequested,
  SupervisorError,
  signalReady,
  workerThreadChild,
} from '../../supervision/index.js';

const FIXTURE = new URL('./fixtures/test-worker.js', import.meta.url);

t.test('worker runtime - the helpers refuse to run outside a worker thread', async (t) => {
  t.throws(() => signalReady(), { code: 'ARQ_ERR_NOT_IN_WORKER', message: /signalReady\(\)/ });
  t.throws(() => onStopRequested(() => {}), SupervisorError);
});

t.test(
  'worker runtime - the stop handler cleans up, then the thread ends with shutdown',
  async (t) => {
    const order: string[] = [];
    let worker: Worker | undefined;
    const child = await workerThreadChild({
      filename: FIXTURE,
      workerData: { mode: 'graceful' },
      readyTimeoutMs: 30_000,
      onWorker: (w) => {
        worker = w;
        w.on('message', (message: { type: string }) => order.push(message.type));
        w.once('exit', () => order.push('exit'));
      },
    })();
    t.same(order, ['arqon:ready'], 'the ready message is the protocol message');
    child.stop();
    t.same(await child.exited, { type: 'shutdown' });
    t.same(order, ['arqon:ready', 'test:cleaned-up', 'exit']);
    t.ok(worker);
  },
);

t.test('worker runtime - a stop handler that throws ends the worker with that error', async (t) => {
  const child = await workerThreadChild({
    filename: FIXTURE,
    workerData: { mode: 'failing-cleanup' },
    readyTimeoutMs: 30_000,
    execArgv: [],
  })();
  child.stop();
  const reason = await child.exited;
  t.match(reason, { type: 'error', error: { message: 'cleanup failed' } });
});
