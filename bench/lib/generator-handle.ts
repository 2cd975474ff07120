import { type ChildProcess, fork } from 'node:child_process';
import { BenchError } from './bench-error.js';

/** Every generator report union has this member: the generator gave up, with a reason. */
export interface FailedReport {
  readonly type: 'failed';
  readonly message: string;
}

interface Waiter<R> {
  readonly type: string;
  readonly resolve: (report: R) => void;
  readonly reject: (error: BenchError) => void;
}

/**
 * The coordinator's side of one load-generator child process: typed commands out, typed reports in.
 * Generators run in their own processes so that their CPU is not the server's and is visible apart.
 */
export class GeneratorHandle<
  C extends { readonly type: string },
  R extends { readonly type: string },
> {
  readonly #child: ChildProcess;
  readonly #name: string;
  readonly #queue: R[] = [];
  readonly #waiters: Waiter<R>[] = [];
  #failure: BenchError | null = null;

  private constructor(child: ChildProcess, name: string) {
    this.#child = child;
    this.#name = name;
    child.on('message', (message) => this.#received(message as R | FailedReport));
    // 'close', not 'exit': it comes after the IPC channel has delivered everything (a 'failed' report).
    child.once('close', (code, signal) => {
      this.#fail(new BenchError('ARQ_ERR_BENCH_GENERATOR', `${name} exited (${signal ?? code})`));
    });
  }

  /** Forks a compiled generator entry file; its stdout/stderr go to ours. */
  static fork<C extends { readonly type: string }, R extends { readonly type: string }>(
    script: string,
    name: string,
    nodeFlags: readonly string[] = [],
  ): GeneratorHandle<C, R> {
    const child = fork(script, [], { execArgv: [...nodeFlags], stdio: 'inherit' });
    return new GeneratorHandle<C, R>(child, name);
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  send(command: C): void {
    if (this.#failure !== null) throw this.#failure;
    this.#child.send(command);
  }

  /** The next report of `type` (earlier ones of other types stay queued). */
  next<T extends R['type']>(type: T, timeoutMs: number): Promise<Extract<R, { type: T }>> {
    const index = this.#queue.findIndex((r) => r.type === type);
    if (index !== -1)
      return Promise.resolve(this.#queue.splice(index, 1)[0] as Extract<R, { type: T }>);
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at !== -1) this.#waiters.splice(at, 1);
        reject(
          new BenchError(
            'ARQ_ERR_BENCH_TIMEOUT',
            `${this.#name}: no "${type}" report within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter<R> = {
        type,
        resolve: (report) => {
          clearTimeout(timer);
          resolve(report as Extract<R, { type: T }>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Kills the process if it is still running and waits for it to be gone. */
  async kill(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGKILL');
    await gone;
  }

  #received(report: R | FailedReport): void {
    if (report.type === 'failed') {
      this.#fail(
        new BenchError(
          'ARQ_ERR_BENCH_GENERATOR',
          `${this.#name}: ${(report as FailedReport).message}`,
        ),
      );
      return;
    }
    const at = this.#waiters.findIndex((w) => w.type === report.type);
    if (at === -1) this.#queue.push(report as R);
    else this.#waiters.splice(at, 1)[0]!.resolve(report as R);
  }

  #fail(error: BenchError): void {
    if (this.#failure === null) this.#failure = error;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure);
  }
}

/**
 * Asks every generator to stop (`{type: 'stop'}`, answered by a `stopped` report: every generator of
 * these benches speaks it) and kills each once it answered or `timeoutMs` passed.
 */
export async function stopGenerators<
  C extends { readonly type: string },
  R extends { readonly type: string },
>(generators: readonly GeneratorHandle<C, R>[], timeoutMs: number): Promise<void> {
  for (const g of generators) {
    try {
      g.send({ type: 'stop' } as C);
    } catch {
      // Already gone: kill() below is enough.
    }
  }
  await Promise.all(
    generators.map((g) =>
      g.next('stopped' as R['type'], timeoutMs).then(
        () => g.kill(),
        () => g.kill(),
      ),
    ),
  );
}
