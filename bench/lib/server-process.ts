import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BenchError } from './bench-error.js';

export const DEFAULT_READY_TIMEOUT_MS = 30_000;
export const DEFAULT_STOP_TIMEOUT_MS = 15_000;
const OUTPUT_TAIL_LINES = 40;
/** ArqonBus and the peers all print this once they accept connections. */
const LISTENING = /listening on ([^\s]+):(\d+)/;
/** Printed by node when started with `--inspect`. */
const INSPECTOR = /Debugger listening on (ws:\/\/\S+)/;

export interface ServerProcessOptions {
  /** A compiled JS entry file, run with `execPath`. */
  readonly script: string;
  /** The Node binary; default the bench's own. */
  readonly execPath?: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Flags for node itself, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  readonly readyTimeoutMs?: number;
}

/** A server under test in its own process: started, watched for its listening line, stopped. */
export class ServerProcess {
  readonly #child: ChildProcess;
  readonly #tail: string[] = [];
  readonly #exited: Promise<number | null>;
  #port = 0;
  #inspectorUrl: string | null = null;

  private constructor(child: ChildProcess) {
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const child = spawn(
      options.execPath ?? process.execPath,
      [...(options.nodeFlags ?? []), options.script, ...options.args],
      { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new ServerProcess(child);
    await server.#awaitListening(readyTimeoutMs);
    return server;
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  get port(): number {
    return this.#port;
  }

  /** The DevTools endpoint of the main thread when the server runs with `--inspect`. */
  get inspectorUrl(): string | null {
    return this.#inspectorUrl;
  }

  /** The last lines the server printed (stdout and stderr), for error reports. */
  get outputTail(): string {
    return this.#tail.join('\n');
  }

  get exited(): Promise<number | null> {
    return this.#exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<number | null> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return this.#exited;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
    const code = await this.#exited;
    clearTimeout(timer);
    return code;
  }

  #awaitListening(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error: BenchError | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error === null) resolve();
        else {
          this.#child.kill('SIGKILL');
          reject(error);
        }
      };
      const timer = setTimeout(
        () =>
          settle(
            new BenchError(
              'ARQ_ERR_BENCH_TIMEOUT',
              `server did not print its listening line within ${timeoutMs} ms:\n${this.outputTail}`,
            ),
          ),
        timeoutMs,
      );
      const watch = (stream: NodeJS.ReadableStream | null): void => {
        if (stream === null) return;
        createInterface({ input: stream }).on('line', (line) => {
          this.#tail.push(line);
          if (this.#tail.length > OUTPUT_TAIL_LINES) this.#tail.shift();
          const inspector = INSPECTOR.exec(line);
          if (inspector !== null) {
            this.#inspectorUrl = inspector[1]!;
            return;
          }
          const match = LISTENING.exec(line);
          if (match !== null && this.#port === 0) {
            this.#port = Number(match[2]);
            settle(null);
          }
        });
      };
      watch(this.#child.stdout);
      watch(this.#child.stderr);
      this.#child.once('error', (cause) =>
        settle(new BenchError('ARQ_ERR_BENCH_SERVER', 'cannot spawn the server', { cause })),
      );
      void this.#exited.then((code) =>
        settle(
          new BenchError(
            'ARQ_ERR_BENCH_SERVER',
            `server exited with ${code} before listening:\n${this.outputTail}`,
          ),
        ),
      );
    });
  }
}
