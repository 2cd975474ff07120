import type { ChildProcess } from 'node:child_process';
import { freePort, spawnNatsServer } from '../../src/cli/index.js';
import { BenchError } from '../lib/index.js';

const STOP_TIMEOUT_MS = 5_000;

export interface NatsProcessOptions {
  /**
   * Turns JetStream on, storing into this directory (bench:durable); absent: core NATS only, which
   * is all the cluster bench needs.
   */
  readonly jetStreamDir?: string;
}

/** A nats-server on a free local port: core NATS, or with JetStream when given a store directory. */
export class NatsProcess {
  readonly #child: ChildProcess;
  readonly #port: number;
  readonly #exited: Promise<void>;

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.#port = port;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(options: NatsProcessOptions = {}): Promise<NatsProcess> {
    const port = await freePort();
    const jetStream =
      options.jetStreamDir === undefined ? [] : ['-js', '-sd', options.jetStreamDir];
    try {
      return new NatsProcess(
        await spawnNatsServer(['-a', '127.0.0.1', '-p', String(port), ...jetStream]),
        port,
      );
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
