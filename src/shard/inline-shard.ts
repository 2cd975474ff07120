import type { Child, ExitReason } from '../../supervision/index.js';
import { ShardError } from './shard-error.js';
import { ShardRuntime } from './shard-runtime.js';
import type { ShardWorkerData } from './shard-worker-data.js';

/** The pool's handle on a shard's thread: a Worker, or an InlineShard that stands for one. */
export interface ShardThread {
  postMessage(message: unknown): void;
  terminate(): Promise<unknown>;
}

/**
 * A shard in the edge's own thread (`workers: 0`), supervised as a worker thread would be: the same
 * runtime on the same rings, so the pool and the edge cannot tell, minus the thread. What it saves
 * is the wake-ups: at low rates every publish would wake the shard's thread and every delivery the
 * edge's, each dearer than the work it wakes for (bench/RESULTS.md, "the thread hop"). What it
 * gives up is the thread's isolation: a room's fault is still its supervisor's, but nothing stops a
 * busy room from holding the edge's loop, and a fatal fault of the shard itself is this child's
 * error exit rather than a thread's death.
 *
 * Messages cross as they would between threads, on a later microtask, so neither side re-enters
 * the other.
 */
export class InlineShard implements Child, ShardThread {
  readonly #runtime: ShardRuntime;
  readonly #exited: Promise<ExitReason>;
  #resolveExit: (reason: ExitReason) => void = () => {};
  #ended = false;
  #stopping = false;

  private constructor(data: ShardWorkerData, onMessage: (message: unknown) => void) {
    this.#exited = new Promise((resolve) => {
      this.#resolveExit = resolve;
    });
    this.#runtime = new ShardRuntime(data, {
      post: (message) =>
        queueMicrotask(() => {
          if (!this.#ended) onMessage(message);
        }),
      fail: (error) => this.#fail(error),
    });
  }

  /** Starts a shard in this thread; resolves once it reads its ring. */
  static start(data: ShardWorkerData, onMessage: (message: unknown) => void): Promise<InlineShard> {
    const shard = new InlineShard(data, onMessage);
    return new Promise((resolve, reject) => {
      let ready = false;
      shard.#runtime
        .run(() => {
          ready = true;
          resolve(shard);
        })
        .then(
          () => shard.#end({ type: 'shutdown' }),
          (error: unknown) => {
            if (!ready)
              reject(
                new ShardError('ARQ_ERR_SHARD_DOWN', 'inline shard failed to start', {
                  cause: error,
                }),
              );
            shard.#fail(error);
          },
        );
    });
  }

  get exited(): Promise<ExitReason> {
    return this.#exited;
  }

  postMessage(message: unknown): void {
    queueMicrotask(() => {
      if (!this.#ended) this.#runtime.message(message);
    });
  }

  stop(): void {
    if (this.#stopping || this.#ended) return;
    this.#stopping = true;
    this.#runtime.stop().then(
      () => this.#end({ type: 'shutdown' }),
      (error: unknown) => this.#fail(error),
    );
  }

  kill(): void {
    if (this.#ended) return;
    this.#runtime.abort();
    this.#end({ type: 'killed' });
  }

  terminate(): Promise<unknown> {
    this.kill();
    return this.#exited;
  }

  #fail(error: unknown): void {
    if (this.#ended) return;
    this.#runtime.abort();
    this.#end({ type: 'error', error });
  }

  #end(reason: ExitReason): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#resolveExit(reason);
  }
}
