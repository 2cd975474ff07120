import { fileURLToPath } from 'node:url';
import type { ClientProtocol } from './bench-client.js';
import { BenchError } from './bench-error.js';
import { ServerProcess } from './server-process.js';

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
export const BENCH_HOST = '127.0.0.1';

export type BenchServerSpec =
  | {
      readonly kind: 'arqon';
      readonly workers: number;
      /** `--ring-linger-ms` when not the node's default. */
      readonly ringLingerMs: number | null;
    }
  | { readonly kind: 'bare-uws' }
  | { readonly kind: 'socketio' };

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
  switch (spec.kind) {
    case 'arqon':
      return `ArqonBus (${spec.workers} shard worker${spec.workers === 1 ? '' : 's'}${
        spec.ringLingerMs === null ? '' : `, ring-linger-ms ${spec.ringLingerMs}`
      })`;
    case 'bare-uws':
      return 'bare uWS.js';
    case 'socketio':
      return 'Socket.IO 4';
  }
}

export function clientProtocolOf(spec: BenchServerSpec): ClientProtocol {
  return spec.kind === 'socketio' ? 'socketio' : 'json-ws';
}

/**
 * `arqon-w1`, `arqon-w2`, `arqon-w1-linger1` (`--ring-linger-ms 1`), `bare-uws`, `socketio`: the
 * names the bench CLIs accept.
 */
export function parseBenchServer(name: string): BenchServerSpec {
  const arqon = /^arqon-w(\d+)(?:-linger(\d+))?$/.exec(name);
  if (arqon !== null && Number(arqon[1]) >= 1)
    return {
      kind: 'arqon',
      workers: Number(arqon[1]),
      ringLingerMs: arqon[2] === undefined ? null : Number(arqon[2]),
    };
  if (name === 'bare-uws' || name === 'socketio') return { kind: name };
  throw new BenchError(
    'ARQ_ERR_BENCH_OPTIONS',
    `unknown server "${name}": expected arqon-wN, arqon-wN-lingerM, bare-uws or socketio`,
  );
}

/** Starts the server on a free port of 127.0.0.1 in its own process. */
export function startBenchServer(
  spec: BenchServerSpec,
  options: StartBenchServerOptions,
): Promise<ServerProcess> {
  const nodeFlags = options.nodeFlags ?? [];
  const listen = ['--host', BENCH_HOST, '--port', '0'];
  switch (spec.kind) {
    case 'arqon':
      return ServerProcess.start({
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
      });
    case 'bare-uws':
      return ServerProcess.start({
        script: scriptOf('../peers/bare-uws/main.js'),
        args: listen,
        nodeFlags,
      });
    case 'socketio':
      return ServerProcess.start({
        script: scriptOf('../peers/socketio/main.js'),
        args: listen,
        nodeFlags,
      });
  }
}
