import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, natsServerBinary } from '../../src/cli/index.js';
import { BenchError } from '../lib/index.js';

const READY_LINE = 'Server is ready';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const LOG_TAIL_CHARS = 2000;

/** A plain nats-server (core NATS, no JetStream: the cluster needs none) on a free local port. */
export class NatsProcess {
  readonly #child: ChildProcess;
  readonly #port: number;
  readonly #exited: Promise<void>;

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.#port = port;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(): Promise<NatsProcess> {
    const port = await freePort();
    const child = spawn(natsServerBinary(), ['-a', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const nats = new NatsProcess(child, port);
    await new Promise<void>((resolve, reject) => {
      let log = '';
      let settled = false;
      const settle = (error: BenchError | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error === null) resolve();
        else {
          child.kill('SIGKILL');
          reject(error);
        }
      };
      const timer = setTimeout(
        () => settle(new BenchError('ARQ_ERR_BENCH_TIMEOUT', `nats-server not ready:\n${log}`)),
        START_TIMEOUT_MS,
      );
      child.stderr?.setEncoding('utf8');
      // Keep reading so that the pipe never fills; keep only a tail for error reports.
      child.stderr?.on('data', (chunk: string) => {
        log = (log + chunk).slice(-LOG_TAIL_CHARS);
        if (log.includes(READY_LINE)) settle(null);
      });
      child.once('error', (cause) =>
        settle(new BenchError('ARQ_ERR_BENCH_SERVER', 'cannot spawn nats-server', { cause })),
      );
      child.once('exit', (code) =>
        settle(new BenchError('ARQ_ERR_BENCH_SERVER', `nats-server exited (${code}):\n${log}`)),
      );
    });
    return nats;
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  /** `nats://127.0.0.1:<port>` */
  get url(): string {
    return `nats://127.0.0.1:${this.#port}`;
  }

  /** SIGTERM, then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
  }
}
