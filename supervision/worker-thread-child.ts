import {
  type ResourceLimits,
  type TransferListItem,
  Worker,
  type WorkerOptions,
} from 'node:worker_threads';
import { type Child, type ExitReason, KILLED_EXIT, NORMAL_EXIT, SHUTDOWN_EXIT } from './child.js';
import { describeValue } from './describe-value.js';
import { SupervisorError } from './errors.js';
import { isControlMessage, STOP_MESSAGE } from './worker-protocol.js';

export const DEFAULT_READY_TIMEOUT_MS = 10_000;

export interface WorkerThreadChildOptions {
  /** The worker's entry (compiled JS); it must call signalReady() from worker-runtime. */
  readonly filename: string | URL;
  /** Cloned into every new thread, so each restart starts from the same data. */
  readonly workerData?: unknown;
  /** Transferred on every start: only items that stay valid across starts (not a one-shot MessagePort). */
  readonly transferList?: readonly TransferListItem[];
  readonly resourceLimits?: ResourceLimits;
  /** Node flags for the thread; default: the parent's (as Worker does), including any --import hooks. */
  readonly execArgv?: readonly string[];
  /** How long start() waits for the ready message. Default DEFAULT_READY_TIMEOUT_MS. */
  readonly readyTimeoutMs?: number;
  /** Called with each new Worker right after it is created (before it is ready), e.g. to wire ports. */
  readonly onWorker?: (worker: Worker) => void;
}

interface ResolvedOptions {
  readonly filename: string | URL;
  readonly workerOptions: WorkerOptions;
  readonly readyTimeoutMs: number;
  readonly onWorker: ((worker: Worker) => void) | undefined;
}

function resolveOptions(options: WorkerThreadChildOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw optionsError(`options must be an object, got ${describeValue(options)}`);
  const { filename } = options;
  if (!(filename instanceof URL) && (typeof filename !== 'string' || filename.length === 0))
    throw optionsError(
      `options.filename must be a non-empty string or a URL, got ${describeValue(filename)}`,
    );
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  if (typeof readyTimeoutMs !== 'number' || !Number.isFinite(readyTimeoutMs) || readyTimeoutMs <= 0)
    throw optionsError(
      `options.readyTimeoutMs must be a positive number of ms, got ${describeValue(readyTimeoutMs)}`,
    );
  if (options.onWorker !== undefined && typeof options.onWorker !== 'function')
    throw optionsError(
      `options.onWorker must be a function, got ${describeValue(options.onWorker)}`,
    );
  if (options.transferList !== undefined && !Array.isArray(options.transferList))
    throw optionsError(
      `options.transferList must be an array, got ${describeValue(options.transferList)}`,
    );
  const { execArgv } = options;
  if (
    execArgv !== undefined &&
    (!Array.isArray(execArgv) || execArgv.some((a) => typeof a !== 'string'))
  )
    throw optionsError(
      `options.execArgv must be an array of strings, got ${describeValue(execArgv)}`,
    );
  const workerOptions: WorkerOptions = {
    ...(options.workerData !== undefined && { workerData: options.workerData }),
    ...(options.transferList !== undefined && { transferList: [...options.transferList] }),
    ...(options.resourceLimits !== undefined && { resourceLimits: options.resourceLimits }),
    ...(execArgv !== undefined && { execArgv: [...execArgv] }),
  };
  return { filename, workerOptions, readyTimeoutMs, onWorker: options.onWorker };
}

function optionsError(message: string): SupervisorError {
  return new SupervisorError('ARQ_ERR_SUPERVISOR_OPTIONS', message);
}

/**
 * A ChildSpec.start for a worker thread. start() resolves once the worker posts 'arqon:ready' and
 * rejects (after the thread is gone) if it errors, exits or times out first. Exit reasons:
 * stop() then exit code 0 -> 'shutdown'; exit code 0 on its own -> 'normal'; kill() -> 'killed';
 * an uncaught error -> 'error' with that error; any other exit (terminated from outside,
 * process.exit(n != 0)) -> 'error' with ARQ_ERR_WORKER_EXIT.
 */
export function workerThreadChild(options: WorkerThreadChildOptions): () => Promise<Child> {
  const resolved = resolveOptions(options);
  return () => spawnWorkerChild(resolved);
}

function spawnWorkerChild(options: ResolvedOptions): Promise<Child> {
  const where = String(options.filename);
  return new Promise<Child>((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(options.filename, options.workerOptions);
    } catch (cause) {
      reject(
        new SupervisorError('ARQ_ERR_WORKER_START', `worker ${where} could not be created`, {
          cause,
        }),
      );
      return;
    }
    let ready = false;
    let startFailure: SupervisorError | undefined;
    let stopRequested = false;
    let ended = false;
    // How it ended when that is known before 'exit' (an uncaught error, or our own kill()).
    let verdict: ExitReason | undefined;
    let resolveExited: (reason: ExitReason) => void = () => {};
    const exited = new Promise<ExitReason>((r) => {
      resolveExited = r;
    });

    // A start that fails still waits for the thread to be gone, so retries never pile up threads.
    const failStart = (error: SupervisorError): void => {
      if (ready || startFailure !== undefined) return;
      startFailure = error;
      clearTimeout(readyTimer);
      void worker.terminate();
    };
    const readyTimer = setTimeout(() => {
      failStart(
        new SupervisorError(
          'ARQ_ERR_WORKER_READY_TIMEOUT',
          `worker ${where} was not ready within ${options.readyTimeoutMs} ms`,
        ),
      );
    }, options.readyTimeoutMs);

    const child: Child = {
      exited,
      stop() {
        if (stopRequested || verdict !== undefined || ended) return;
        stopRequested = true;
        worker.postMessage(STOP_MESSAGE);
      },
      kill() {
        if (verdict !== undefined || ended) return;
        verdict = KILLED_EXIT;
        void worker.terminate();
      },
    };

    const onMessage = (message: unknown): void => {
      if (!isControlMessage(message, 'arqon:ready') || startFailure !== undefined) return;
      ready = true;
      clearTimeout(readyTimer);
      worker.off('message', onMessage);
      resolve(child);
    };
    worker.on('message', onMessage);
    // The error may be reported before a ready message the worker posted earlier (they travel on
    // different ports); Node delivers every pending message before 'exit', so the start is judged
    // there: ready seen -> started then crashed; not seen -> a start failure.
    worker.on('error', (error) => {
      verdict ??= { type: 'error', error };
    });
    worker.on('exit', (code) => {
      ended = true;
      clearTimeout(readyTimer);
      if (!ready) {
        const cause = verdict?.type === 'error' ? verdict.error : undefined;
        reject(
          startFailure ??
            new SupervisorError(
              'ARQ_ERR_WORKER_START',
              cause === undefined
                ? `worker ${where} exited with code ${code} before it was ready`
                : `worker ${where} failed before it was ready`,
              { cause },
            ),
        );
        return;
      }
      resolveExited(verdict ?? exitReasonForCode(code, stopRequested, where));
    });

    try {
      options.onWorker?.(worker);
    } catch (cause) {
      failStart(
        new SupervisorError('ARQ_ERR_WORKER_START', `options.onWorker threw for worker ${where}`, {
          cause,
        }),
      );
    }
  });
}

function exitReasonForCode(code: number, stopRequested: boolean, where: string): ExitReason {
  if (code === 0) return stopRequested ? SHUTDOWN_EXIT : NORMAL_EXIT;
  return {
    type: 'error',
    error: new SupervisorError('ARQ_ERR_WORKER_EXIT', `worker ${where} exited with code ${code}`),
  };
}
