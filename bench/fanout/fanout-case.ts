import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  BENCH_HOST,
  BENCH_TENANT,
  BenchError,
  type BenchServerSpec,
  benchServerLabel,
  benchServerNode,
  type CpuProfile,
  clientProtocolOf,
  cpuDelta,
  GeneratorHandle,
  InspectorClient,
  type InspectorTarget,
  LatencyHistogram,
  monotonicNs,
  readMachineCpu,
  readProcCpu,
  type ServerProcess,
  startBenchServer,
  stopGenerators,
} from '../lib/index.js';
import type { FanoutCollected, FanoutCommand, FanoutReport } from './fanout-messages.js';
import { type FanoutShape, planShape } from './fanout-shapes.js';

const SETUP_TIMEOUT_MS = 120_000;
const REPORT_TIMEOUT_MS = 15_000;
const CLIENT_TIMEOUT_MS = 10_000;
const CONNECT_CONCURRENCY = 50;
/** After the last join: let presence broadcasts and join bursts die down before publishing. */
const SETTLE_MS = 1_000;
/** After publishing stops: time for what is in flight to arrive before members are tallied. */
const DRAIN_MS = 2_000;
/** With `profile`, the server runs with an inspector on a free port. */
const INSPECT_FLAG = '--inspect=127.0.0.1:0';
const SAMPLING_INTERVAL_US = 200;

export interface FanoutCaseOptions {
  readonly server: BenchServerSpec;
  readonly shape: FanoutShape;
  readonly generators: number;
  readonly warmupMs: number;
  readonly windowMs: number;
  readonly secret: string;
  /**
   * CPU-profile every thread of the server during the window (through its inspector). The profiler
   * costs CPU itself: a profiled case's figures are not comparable with unprofiled ones.
   */
  readonly profile: boolean;
  /** Each message's `data.text`, or null for `{"t":..}` alone. */
  readonly text: string | null;
  /**
   * Runs once the server listens, before any client connects (e.g. pushes policies); its string
   * names the variant in the case's label.
   */
  readonly prepare: CasePreparation | null;
  /** More `arq start` flags for ArqonBus (e.g. `--nats URL --durable-rooms ...`). */
  readonly arqonArgs: readonly string[];
  /**
   * Processes the server works with (e.g. nats-server storing durable rooms): their CPU in the
   * window is reported as the case's `companionCpuUs`, not as other processes' disturbance.
   */
  readonly companions: readonly number[];
  readonly log: (line: string) => void;
}

export interface CasePreparation {
  /** Shown after the server's label, e.g. `policies: pii-redact`. */
  readonly label: string;
  readonly run: (server: ServerProcess) => Promise<void>;
}

export interface ThreadProfile {
  readonly thread: string;
  readonly profile: CpuProfile;
}

export interface FanoutResult {
  readonly server: string;
  /** The Node version the server ran on: a case is compared with peers on the same one. */
  readonly node: string;
  readonly shape: FanoutShape;
  readonly windowS: number;
  readonly deliveries: number;
  readonly expectedDeliveries: number;
  readonly published: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly serverUserUs: number;
  readonly serverSystemUs: number;
  readonly generatorCpuUs: number;
  readonly generators: number;
  /** CPU used in the window by processes other than the server, the generators and the bench. */
  readonly otherCpuUs: number;
  /** CPU of the case's companion processes (FanoutCaseOptions.companions) in the window. */
  readonly companionCpuUs: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly closed: number;
  /** Connection attempts that failed during set-up and were made again. */
  readonly setupRetries: number;
  readonly load1: number;
  /** How many times the case was measured (see runUndisturbedCase); 1 here. */
  readonly attempts: number;
  /** Which round of the run (`--rounds`) measured it; 1 here. */
  readonly round: number;
  /** One per server thread when the case ran with `profile`. */
  readonly profiles: readonly ThreadProfile[];
  /**
   * Counted per member by the publisher's sequence numbers over the whole case (warm-up and
   * window), DRAIN_MS after the last publish: messages a member never got, got twice or out of order.
   */
  readonly missing: number;
  readonly duplicates: number;
  readonly membersShort: number;
}

type Generator = GeneratorHandle<FanoutCommand, FanoutReport>;

/** One server, one shape: start both sides, warm up, measure one window, tear everything down. */
export async function runFanoutCase(options: FanoutCaseOptions): Promise<FanoutResult> {
  const { server: spec, shape, log } = options;
  const prepare = options.prepare;
  const label = `${benchServerLabel(spec)}${prepare === null ? '' : `, ${prepare.label}`}`;
  const load1 = loadavg()[0]!;
  const server = await startBenchServer(spec, {
    secret: options.secret,
    nodeFlags: options.profile ? [INSPECT_FLAG] : [],
    arqonArgs: options.arqonArgs,
  });
  const generators: Generator[] = [];
  let inspector: InspectorClient | null = null;
  try {
    if (prepare !== null) await prepare.run(server);
    const plans = planShape(shape, options.generators);
    const script = fileURLToPath(new URL('./fanout-generator.js', import.meta.url));
    for (let g = 0; g < plans.length; g++)
      generators.push(GeneratorHandle.fork<FanoutCommand, FanoutReport>(script, `generator ${g}`));
    for (const [g, generator] of generators.entries()) {
      generator.send({
        type: 'setup',
        protocol: clientProtocolOf(spec),
        url: `ws://${BENCH_HOST}:${server.port}`,
        secret: spec.kind === 'arqon' ? options.secret : null,
        tenant: BENCH_TENANT,
        rooms: plans[g]!.rooms,
        concurrency: CONNECT_CONCURRENCY,
        timeoutMs: CLIENT_TIMEOUT_MS,
      });
    }
    const ready = await Promise.all(generators.map((g) => g.next('ready', SETUP_TIMEOUT_MS)));
    const clients = ready.reduce((n, r) => n + r.clients, 0);
    const setupRetries = ready.reduce((n, r) => n + r.retries, 0);
    log(
      `  ${label}, ${shape.name}: ${clients} clients joined (${setupRetries} attempts retried), warming up`,
    );
    await sleep(SETTLE_MS);
    for (const [g, generator] of generators.entries())
      generator.send({ type: 'publish', rate: plans[g]!.rate, text: options.text });
    await sleep(options.warmupMs);
    let targets: InspectorTarget[] = [];
    if (options.profile) {
      if (server.inspectorUrl === null)
        throw new BenchError('ARQ_ERR_BENCH_SERVER', 'the server printed no inspector URL');
      inspector = await InspectorClient.connect(server.inspectorUrl);
      targets = [inspector, ...(await inspector.workers())];
      for (const target of targets) {
        await target.call('Profiler.enable');
        await target.call('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
        await target.call('Profiler.start');
      }
    }
    const collected = await measure(server, generators, options.windowMs, options.companions);
    const profiles: ThreadProfile[] = [];
    for (const target of targets) {
      const { profile } = (await target.call('Profiler.stop')) as { profile: CpuProfile };
      profiles.push({ thread: target.title, profile });
    }
    const counted = await tally(generators);
    return {
      ...summarise(options, label, load1, collected),
      ...counted,
      setupRetries,
      profiles,
      attempts: 1,
      round: 1,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new BenchError(
      'ARQ_ERR_BENCH_SERVER',
      `${label}, ${shape.name}: ${message}\n--- server output (last lines) ---\n${server.outputTail}`,
      { cause: error },
    );
  } finally {
    inspector?.close();
    await stopGenerators(generators, REPORT_TIMEOUT_MS);
    const code = await server.stop();
    if (code !== 0 && code !== null) log(`  ${label} exited with ${code}:\n${server.outputTail}`);
  }
}

interface Collected {
  readonly reports: readonly FanoutCollected[];
  readonly windowS: number;
  readonly userUs: number;
  readonly systemUs: number;
  readonly otherUs: number;
  readonly companionUs: number;
}

async function measure(
  server: ServerProcess,
  generators: readonly Generator[],
  windowMs: number,
  companions: readonly number[],
): Promise<Collected> {
  for (const g of generators) g.send({ type: 'mark' });
  await Promise.all(generators.map((g) => g.next('marked', REPORT_TIMEOUT_MS)));
  const cpuBefore = readProcCpu(server.pid);
  const companionsBefore = companions.map((pid) => readProcCpu(pid));
  const machineBefore = readMachineCpu();
  const selfBefore = process.cpuUsage();
  const startNs = monotonicNs();
  await sleep(windowMs);
  const cpu = cpuDelta(cpuBefore, readProcCpu(server.pid));
  const companionUs = companions.reduce((n, pid, i) => {
    const d = cpuDelta(companionsBefore[i]!, readProcCpu(pid));
    return n + d.userUs + d.systemUs;
  }, 0);
  const machineBusyUs = readMachineCpu().busyUs - machineBefore.busyUs;
  const self = process.cpuUsage(selfBefore);
  const windowS = (monotonicNs() - startNs) / 1e9;
  for (const g of generators) g.send({ type: 'collect' });
  const reports = await Promise.all(generators.map((g) => g.next('collected', REPORT_TIMEOUT_MS)));
  const generatorUs = reports.reduce((n, r) => n + r.cpuUserUs + r.cpuSystemUs, 0);
  // Whatever else ran on the machine in the window (other builds and tests): reported, not hidden.
  const otherUs = Math.max(
    0,
    machineBusyUs - cpu.userUs - cpu.systemUs - generatorUs - companionUs - self.user - self.system,
  );
  return { reports, windowS, userUs: cpu.userUs, systemUs: cpu.systemUs, otherUs, companionUs };
}

async function tally(
  generators: readonly Generator[],
): Promise<{ missing: number; duplicates: number; membersShort: number }> {
  for (const g of generators) g.send({ type: 'halt' });
  const halted = await Promise.all(generators.map((g) => g.next('halted', REPORT_TIMEOUT_MS)));
  const lastSeq = Object.assign({}, ...halted.map((h) => h.lastSeq)) as Record<string, number>;
  await sleep(DRAIN_MS);
  for (const g of generators) g.send({ type: 'tally', lastSeq });
  const tallied = await Promise.all(generators.map((g) => g.next('tallied', REPORT_TIMEOUT_MS)));
  const sum = (pick: (t: (typeof tallied)[number]) => number): number =>
    tallied.reduce((n, t) => n + pick(t), 0);
  return {
    missing: sum((t) => t.missing),
    duplicates: sum((t) => t.duplicates),
    membersShort: sum((t) => t.membersShort),
  };
}

function summarise(
  options: FanoutCaseOptions,
  label: string,
  load1: number,
  collected: Collected,
): Omit<
  FanoutResult,
  'setupRetries' | 'profiles' | 'attempts' | 'round' | 'missing' | 'duplicates' | 'membersShort'
> {
  const { reports, windowS } = collected;
  const histogram = new LatencyHistogram();
  const errors: Record<string, number> = {};
  for (const report of reports) {
    histogram.merge(report.histogram);
    for (const [code, n] of Object.entries(report.errors)) errors[code] = (errors[code] ?? 0) + n;
  }
  const sum = (pick: (r: FanoutCollected) => number): number =>
    reports.reduce((n, r) => n + pick(r), 0);
  const published = sum((r) => r.published);
  return {
    server: label,
    node: benchServerNode(options.server),
    shape: options.shape,
    windowS,
    deliveries: sum((r) => r.deliveries),
    expectedDeliveries: options.shape.rate * options.shape.members * windowS,
    published,
    p50Us: histogram.percentile(0.5),
    p99Us: histogram.percentile(0.99),
    serverUserUs: collected.userUs,
    serverSystemUs: collected.systemUs,
    generatorCpuUs: sum((r) => r.cpuUserUs + r.cpuSystemUs),
    generators: reports.length,
    otherCpuUs: collected.otherUs,
    companionCpuUs: collected.companionUs,
    errors,
    closed: sum((r) => r.closed),
    load1,
  };
}
