import type { ChildProcess } from 'node:child_process';
import { freePort, spawnNatsServer } from '../../src/cli/index.js';
import { BenchError } from '../lib/index.js';

const STOP_TIMEOUT_MS = 5_000;

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
    try {
      return new NatsProcess(await spawnNatsServer(['-a', '127.0.0.1', '-p', String(port)]), port);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new BenchError('ARQ_ERR_BENCH_SERVER', `nats-server did not start: ${reason}`, {
        cause,
      });
    }
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
