/**
 * Entry point of a shard worker thread: the ShardRuntime, hosted by the thread. A fatal fault is
 * thrown as the thread's uncaught error, so the pool's supervisor sees an 'error' exit and decides
 * what comes next.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { onStopRequested, signalReady } from '../../supervision/index.js';
import { ShardRuntime } from './shard-runtime.js';
import type { ShardWorkerData } from './shard-worker-data.js';

const runtime = new ShardRuntime(workerData as ShardWorkerData, {
  post: (message) => parentPort?.postMessage(message),
  fail: (error) =>
    setImmediate(() => {
      throw error;
    }),
});
parentPort?.on('message', (message: unknown) => runtime.message(message));
onStopRequested(() => runtime.stop());
void runtime.run(signalReady);
