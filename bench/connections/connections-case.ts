import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  BENCH_HOST,
  BENCH_TENANT,
  BenchError,
  type BenchServerSpec,
  benchServerLabel,
  clientProtocolOf,
  GeneratorHandle,
  InspectorClient,
  readVmRssBytes,
  startBenchServer,
  stopGenerators,
} from '../lib/index.js';
import type { ConnectionsCommand, ConnectionsReport } from './connections-messages.js';

/** Sockets per generator process: far below the 20,000 fds a process may hold. */
export const CONNECTIONS_PER_GENERATOR = 5_000;
/** Members per room: every connection joins one room; presence state stays bounded per join. */
export const ROOM_SIZE = 100;
const CONNECT_CONCURRENCY = 100;
const CLIENT_TIMEOUT_MS = 20_000;
const SETUP_TIMEOUT_MS = 300_000;
const REPORT_TIMEOUT_MS = 15_000;
/** After the server is up, before the baseline: let start-up allocations settle. */
const BASELINE_SETTLE_MS = 3_000;
/** Source addresses 127.0.0.<FIRST_SOURCE_OCTET + generator>: ephemeral ports are per address. */
const FIRST_SOURCE_OCTET = 10;
const RSS_SAMPLES = 3;
const RSS_SAMPLE_GAP_MS = 1_000;
/** After a forced GC: V8 gives freed pages back to the system shortly after, not at once. */
const AFTER_GC_MS = 2_000;
/** The server runs with an inspector on a free port so the bench can ask it for a full GC. */
const INSPECT_FLAG = '--inspect=127.0.0.1:0';

export interface ConnectionsCaseOptions {
  readonly server: BenchServerSpec;
  /** Ascending connection counts; each is measured, then more connections are added. */
  readonly counts: readonly number[];
  readonly settleMs: number;
  readonly secret: string;
  readonly log: (line: string) => void;
}

export interface ConnectionsResult {
  readonly server: string;
  readonly connections: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  /** The same two readings, each just after a full GC of the server's main thread. */
  readonly rssBeforeGcBytes: number;
  readonly rssAfterGcBytes: number;
  /** Seconds to connect and join this step's additional connections. */
  readonly connectS: number;
  /** Connection attempts that failed (so far) and were made again. */
  readonly retries: number;
  readonly load1: number;
}

type Generator = GeneratorHandle<ConnectionsCommand, ConnectionsReport>;

/** One server process: baseline RSS, then for each count the RSS once that many are joined and idle. */
export async function runConnectionsCase(
  options: ConnectionsCaseOptions,
): Promise<ConnectionsResult[]> {
  const { server: spec, log } = options;
  const label = benchServerLabel(spec);
  const server = await startBenchServer(spec, {
    secret: options.secret,
    nodeFlags: [INSPECT_FLAG],
  });
  const generators: Generator[] = [];
  const results: ConnectionsResult[] = [];
  let inspector: InspectorClient | null = null;
  try {
    if (server.inspectorUrl === null)
      throw new BenchError('ARQ_ERR_BENCH_SERVER', `${label} printed no inspector URL`);
    inspector = await InspectorClient.connect(server.inspectorUrl);
    const gc = inspector;
    const rssAfterGc = async (): Promise<number> => {
      await gc.collectGarbage();
      await sleep(AFTER_GC_MS);
      return readVmRssBytes(server.pid);
    };
    await sleep(BASELINE_SETTLE_MS);
    const rssBeforeBytes = readVmRssBytes(server.pid);
    const rssBeforeGcBytes = await rssAfterGc();
    const script = fileURLToPath(new URL('./connections-generator.js', import.meta.url));
    let connected = 0;
    let retries = 0;
    for (const count of options.counts) {
      const started = Date.now();
      const fresh: Generator[] = [];
      for (let first = connected; first < count; first += CONNECTIONS_PER_GENERATOR) {
        const g = generators.length;
        const generator = GeneratorHandle.fork<ConnectionsCommand, ConnectionsReport>(
          script,
          `generator ${g}`,
        );
        generators.push(generator);
        fresh.push(generator);
        generator.send({
          type: 'setup',
          protocol: clientProtocolOf(spec),
          url: `ws://${BENCH_HOST}:${server.port}`,
          secret: spec.kind === 'arqon' ? options.secret : null,
          tenant: BENCH_TENANT,
          localAddress: `127.0.0.${FIRST_SOURCE_OCTET + g}`,
          firstIndex: first,
          count: Math.min(CONNECTIONS_PER_GENERATOR, count - first),
          roomSize: ROOM_SIZE,
          concurrency: CONNECT_CONCURRENCY,
          timeoutMs: CLIENT_TIMEOUT_MS,
        });
      }
      const ready = await Promise.all(fresh.map((g) => g.next('ready', SETUP_TIMEOUT_MS)));
      retries += ready.reduce((n, r) => n + r.retries, 0);
      const connectS = (Date.now() - started) / 1000;
      connected = count;
      log(`  ${label}: ${count} connected and joined in ${connectS.toFixed(1)} s, settling`);
      await sleep(options.settleMs);
      let rssAfterBytes = 0;
      for (let i = 0; i < RSS_SAMPLES; i++) {
        if (i > 0) await sleep(RSS_SAMPLE_GAP_MS);
        rssAfterBytes = readVmRssBytes(server.pid);
      }
      const rssAfterGcBytes = await rssAfterGc();
      for (const g of generators) g.send({ type: 'check' });
      const statuses = await Promise.all(
        generators.map((g) => g.next('status', REPORT_TIMEOUT_MS)),
      );
      const open = statuses.reduce((n, s) => n + s.open, 0);
      if (open !== count)
        throw new BenchError(
          'ARQ_ERR_BENCH_CLIENT',
          `${label}: ${open} of ${count} connections open at measurement (errors: ${JSON.stringify(statuses.map((s) => s.errors))})`,
        );
      results.push({
        server: label,
        connections: count,
        rssBeforeBytes,
        rssAfterBytes,
        rssBeforeGcBytes,
        rssAfterGcBytes,
        connectS,
        retries,
        load1: loadavg()[0]!,
      });
    }
    return results;
  } finally {
    inspector?.close();
    await stopGenerators(generators, REPORT_TIMEOUT_MS);
    const code = await server.stop();
    if (code !== 0 && code !== null) log(`  ${label} exited with ${code}:\n${server.outputTail}`);
  }
}
