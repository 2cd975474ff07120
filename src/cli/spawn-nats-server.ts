import { type ChildProcess, spawn } from 'node:child_process';
import { CliError } from './cli-error.js';
import { natsServerBinary } from './nats-server-binary.js';

/** What nats-server logs once it accepts clients. */
const READY_LINE = 'Server is ready';
export const DEFAULT_NATS_START_TIMEOUT_MS = 15_000;
/** How much of the server's log a failure report quotes. */
const LOG_TAIL_CHARS = 2000;

export interface SpawnNatsServerOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/**
 * Starts the nats-server found by natsServerBinary with `args` and resolves once it logs that it
 * accepts clients. Its log (stderr) is read for as long as it runs, so the pipe never fills.
 * Rejects with ARQ_ERR_CLI_NATS_SERVER (the server killed, its args and last log lines quoted) if
 * it cannot be spawned, exits first, or is not ready within `timeoutMs`. Shared by `arq dev up`,
 * the test helper and the cluster bench.
 */
export function spawnNatsServer(
  args: readonly string[],
  options: SpawnNatsServerOptions = {},
): Promise<ChildProcess> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_NATS_START_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(natsServerBinary(), args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    let settled = false;
    const fail = (message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new CliError(`${message}\nargs: ${args.join(' ')}\nlog:\n${log}`, {
          code: 'ARQ_ERR_CLI_NATS_SERVER',
          cause,
        }),
      );
    };
    const timer = setTimeout(() => fail('nats-server did not become ready in time'), timeoutMs);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (settled) return;
      log = (log + chunk).slice(-LOG_TAIL_CHARS);
      if (log.includes(READY_LINE)) {
        settled = true;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', (err) => fail('nats-server could not be spawned', err));
    child.once('exit', (code, signal) =>
      fail(`nats-server exited during start (code ${code}, signal ${signal})`),
    );
  });
}
