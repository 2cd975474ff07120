import { type MessagePort, parentPort } from 'node:worker_threads';
import { SupervisorError } from './errors.js';
import { isControlMessage, READY_MESSAGE } from './worker-protocol.js';

/**
 * The worker-thread side of workerThreadChild. A supervised worker registers its stop handler,
 * initialises, then calls signalReady():
 *
 *   onStopRequested(async () => { await flush(); clearInterval(tick); });
 *   await init();
 *   signalReady();
 */

function requirePort(helper: string): MessagePort {
  if (parentPort === null)
    throw new SupervisorError(
      'ARQ_ERR_NOT_IN_WORKER',
      `${helper}() must be called inside a worker thread`,
    );
  return parentPort;
}

/** Tells the parent this worker is initialised: its start() resolves now. */
export function signalReady(): void {
  requirePort('signalReady').postMessage(READY_MESSAGE);
}

/**
 * Runs `handler` when the supervisor asks this worker to stop, then closes the parent port so the
 * thread can end with exit code 0 ('shutdown'). The handler must release everything else that keeps
 * the thread alive (timers, sockets, ports); if it does not, the supervisor kills the thread after
 * its shutdown timeout. A handler that throws ends the worker with that error.
 */
export function onStopRequested(handler: () => void | Promise<void>): void {
  const port = requirePort('onStopRequested');
  const listener = (message: unknown): void => {
    if (!isControlMessage(message, 'arqon:stop')) return;
    port.off('message', listener);
    void (async () => {
      await handler();
      port.close();
    })().catch((error: unknown) => {
      // Surfaces as the worker's uncaught error, so the parent sees an 'error' exit.
      queueMicrotask(() => {
        throw error;
      });
    });
  };
  port.on('message', listener);
}
