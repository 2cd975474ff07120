/**
 * Starts a real nats-server for a test: on a free port of 127.0.0.1 (never the machine's 4222), with a
 * throwaway JetStream store when asked, optionally as one server of a cluster (routes), and stops,
 * kills or restarts it on the same ports so that clients' reconnects can be tested.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, natsServerBinary, spawnNatsServer } from '../../src/cli/index.js';

export { freePort, natsServerBinary };

export type NatsServerErrorCode = 'ARQ_ERR_TEST_NATS_SERVER';

export class NatsServerError extends Error {
  readonly code: NatsServerErrorCode = 'ARQ_ERR_TEST_NATS_SERVER';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NatsServerError';
  }
}

export interface NatsServerOptions {
  /** Enables JetStream with a store in a fresh temporary directory (kept across restarts). */
  readonly jetstream?: boolean;
  /** Client port; a free one when absent. */
  readonly port?: number;
  /** Makes the server one of a cluster: a route listener on a free port, routes to `routes`. */
  readonly cluster?: { readonly name?: string; readonly routes?: readonly string[] };
  /** A config file (`-c`); the command-line port and address still win. */
  readonly config?: string;
  /** Extra environment for the server process (config files may reference `$VARS`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra command-line arguments, after the others (e.g. `['-m', '8333']`). */
  readonly args?: readonly string[];
}

export interface NatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** `nats-route://127.0.0.1:<port>` for other servers' `cluster.routes`, or null. */
  readonly routeUrl: string | null;
  /** Stops the server for good (SIGTERM, then SIGKILL) and removes its store. */
  stop(): Promise<void>;
  /** SIGKILLs the server; `restart()` brings it back with the same ports and store. */
  kill(): Promise<void>;
  /** Stops the server if it runs and starts it again on the same ports. */
  restart(): Promise<void>;
  /**
   * Asks the running server to read its config file again (SIGHUP), e.g. changed permissions;
   * the caller checks the effect (the server says nothing on the client port when it is done).
   */
  reload(): void;
}

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/** Every server this process started and has not stopped: killed if the test process exits. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const routePort = options.cluster === undefined ? null : await freePort();
  const storeDir = options.jetstream ? await mkdtemp(join(tmpdir(), 'arq-nats-')) : null;

  const args = ['-a', '127.0.0.1', '-p', String(port)];
  if (options.config !== undefined) args.unshift('-c', options.config);
  if (storeDir !== null) args.push('-js', '-sd', storeDir);
  if (routePort !== null) {
    args.push('--cluster', `nats://127.0.0.1:${routePort}`);
    args.push('--cluster_name', options.cluster?.name ?? 'arq-test');
    args.push('-n', `arq-test-${port}`);
    const routes = options.cluster?.routes ?? [];
    if (routes.length > 0) args.push('--routes', routes.join(','));
  }
  args.push(...(options.args ?? []));
  const env = { ...process.env, ...options.env };

  let child: ChildProcess | null;
  try {
    child = await launch(args, env);
  } catch (err) {
    if (storeDir !== null) await rm(storeDir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    child = null;
    if (running !== null) await terminate(running, signal);
  };

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    routeUrl: routePort === null ? null : `nats-route://127.0.0.1:${routePort}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt('SIGTERM');
      if (storeDir !== null) await rm(storeDir, { recursive: true, force: true });
    },
    async kill() {
      await halt('SIGKILL');
    },
    async restart() {
      if (stopped) throw new NatsServerError('restart() after stop(): the server is gone');
      await halt('SIGTERM');
      child = await launch(args, env);
    },
    reload() {
      if (child === null) throw new NatsServerError('reload() of a server that is not running');
      child.kill('SIGHUP');
    },
  };
}

/** Spawns the server and resolves once it logs that it accepts clients (see spawnNatsServer). */
async function launch(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  let child: ChildProcess;
  try {
    child = await spawnNatsServer(args, { env, timeoutMs: START_TIMEOUT_MS });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new NatsServerError(reason, { cause });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      live.delete(child);
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      live.delete(child);
      resolve();
    });
    child.kill(signal);
  });
}
