import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientProtocol } from './bench-client.js';
import { BenchError } from './bench-error.js';
import { BENCH_HOST } from './bench-host.js';
import { ServerProcess } from './server-process.js';
import { waitReady } from './wait-ready.js';

/** Limits raised so the bench measures fan-out rather than the node's protections. */
export const ARQON_BENCH_FLAGS: readonly string[] = [
  '--publish-rate',
  '1000000',
  '--publish-burst',
  '1000000',
  '--tenant-publish-rate',
  '100000000',
  '--tenant-publish-burst',
  '100000000',
  '--max-connections-per-tenant',
  '100000',
  '--max-send-buffer-bytes',
  '16777216',
];

export const BENCH_TENANT = 'bench';
export { BENCH_HOST } from './bench-host.js';

/** Another Node binary to run a server on (`--other-node PATH`), beside the bench's own. */
export interface BenchNode {
  readonly path: string;
  /** `v22.23.5`, as the binary prints it. */
  readonly version: string;
}

export type BenchServerSpec = (
  | {
      readonly kind: 'arqon';
      readonly workers: number;
      /** `--ring-linger-ms` when not the node's default. */
      readonly ringLingerMs: number | null;
    }
  | { readonly kind: 'bare-uws'; readonly hop: boolean }
  | { readonly kind: 'socketio' }
) & {
  /** The Node the server runs on; absent: the bench's own (`process.execPath`). */
  readonly node?: BenchNode;
};

/** The Node version a spec's server runs on, e.g. `v20.19.2`. */
export function benchServerNode(spec: BenchServerSpec): string {
  return spec.node?.version ?? process.version;
}

export interface StartBenchServerOptions {
  /** HS256 secret the node verifies tokens with (ignored by the peers, which do not authenticate). */
  readonly secret: string;
  /** Node flags for the server process, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  /** More `arq start` flags for ArqonBus, e.g. `--presence-coalesce-ms 0` (ignored by the peers). */
  readonly arqonArgs?: readonly string[];
}

const scriptOf = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export function benchServerLabel(spec: BenchServerSpec): string {
  const on = spec.node === undefined ? '' : ` on Node ${spec.node.version}`;
  return `${kindLabel(spec)}${on}`;
}

function kindLabel(spec: BenchServerSpec): string {
  switch (spec.kind) {
    case 'arqon':
      if (spec.workers === 0) return 'ArqonBus (rooms in the edge thread)';
      return `ArqonBus (${spec.workers} shard worker${spec.workers === 1 ? '' : 's'}${
        spec.ringLingerMs === null ? '' : `, ring-linger-ms ${spec.ringLingerMs}`
      })`;
    case 'bare-uws':
      // Not "bare uWS…": the reports find their bare uWS peer by that prefix.
      return spec.hop ? 'uWS.js + one thread hop' : 'bare uWS.js';
    case 'socketio':
      return 'Socket.IO 4';
  }
}

export function clientProtocolOf(spec: BenchServerSpec): ClientProtocol {
  return spec.kind === 'socketio' ? 'socketio' : 'json-ws';
}

/**
 * `arqon-w1`, `arqon-w2`, `arqon-w1-linger1` (`--ring-linger-ms 1`), `bare-uws`, `bare-uws-hop`
 * (bare uWS with each frame sent through a worker thread and back), `socketio`: the
 * names the bench CLIs accept. A name ending in `@other` (`arqon-w1@other`) runs that server on
 * `otherNode` (the bench's `--other-node`), so two Node versions are measured in the same run.
 */
export function parseBenchServer(
  name: string,
  otherNode: BenchNode | null = null,
): BenchServerSpec {
  const [base = '', at] = name.split('@', 2) as [string, string | undefined];
  if (at !== undefined && at !== 'other')
    throw new BenchError(
      'ARQ_ERR_BENCH_OPTIONS',
      `unknown server "${name}": the only suffix is @other (the Node given by --other-node)`,
    );
  if (at !== undefined && otherNode === null)
    throw new BenchError(
      'ARQ_ERR_BENCH_OPTIONS',
      `server "${name}" runs on the other Node: give its binary with --other-node PATH`,
    );
  const node = at === undefined || otherNode === null ? {} : { node: otherNode };
  const arqon = /^arqon-w(\d+)(?:-linger(\d+))?$/.exec(base);
  if (arqon !== null)
    return {
      kind: 'arqon',
      workers: Number(arqon[1]),
      ringLingerMs: arqon[2] === undefined ? null : Number(arqon[2]),
      ...node,
    };
  if (base === 'bare-uws' || base === 'bare-uws-hop')
    return { kind: 'bare-uws', hop: base === 'bare-uws-hop', ...node };
  if (base === 'socketio') return { kind: base, ...node };
  throw new BenchError(
    'ARQ_ERR_BENCH_OPTIONS',
    `unknown server "${name}": expected arqon-wN, arqon-wN-lingerM, bare-uws, bare-uws-hop or socketio, optionally with @other`,
  );
}

/** Asks a Node binary its version (`--other-node`); a binary that does not run is an option error. */
export function benchNodeAt(path: string): BenchNode {
  try {
    const version = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    return { path, version };
  } catch (error) {
    throw new BenchError(
      'ARQ_ERR_BENCH_OPTIONS',
      `--other-node ${path} does not run: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** Starts the server on a free port of 127.0.0.1 in its own process; an ArqonBus node, until ready. */
export async function startBenchServer(
  spec: BenchServerSpec,
  options: StartBenchServerOptions,
): Promise<ServerProcess> {
  const nodeFlags = options.nodeFlags ?? [];
  const execPath = spec.node?.path ?? process.execPath;
  const listen = ['--host', BENCH_HOST, '--port', '0'];
  switch (spec.kind) {
    case 'arqon': {
      const server = await ServerProcess.start({
        script: scriptOf('../../src/cli/main.js'),
        args: [
          'start',
          ...listen,
          '--workers',
          String(spec.workers),
          ...(spec.ringLingerMs === null ? [] : ['--ring-linger-ms', String(spec.ringLingerMs)]),
          ...ARQON_BENCH_FLAGS,
          ...(options.arqonArgs ?? []),
        ],
        env: { ...process.env, ARQ_JWT_SECRET: options.secret },
        nodeFlags,
        execPath,
      });
      try {
        await waitReady(server.port);
      } catch (error) {
        await server.stop();
        throw error;
      }
      return server;
    }
    case 'bare-uws':
      return ServerProcess.start({
        script: scriptOf('../peers/bare-uws/main.js'),
        args: spec.hop ? [...listen, '--hop'] : listen,
        nodeFlags,
        execPath,
      });
    case 'socketio':
      return ServerProcess.start({
        script: scriptOf('../peers/socketio/main.js'),
        args: listen,
        nodeFlags,
        execPath,
      });
  }
}
