import { setTimeout as sleep } from 'node:timers/promises';
import {
  type GeneratorHandle,
  LatencyHistogram,
  monotonicNs,
  type ProcCpu,
  readMachineCpu,
  readProcCpu,
} from '../lib/index.js';
import type { ClusterCollected, ClusterCommand, ClusterReport } from './cluster-messages.js';

export type ClusterGenerator = GeneratorHandle<ClusterCommand, ClusterReport>;

const REPORT_TIMEOUT_MS = 15_000;
/**
 * The window opens this long after it is announced, so every generator knows it in time even when
 * its event loop is saturated (a late generator is reported: see `lateMs`).
 */
const WINDOW_LEAD_MS = 300;

/** Where the generators and the node processes are, for one window. */
export interface WindowTarget {
  readonly generators: readonly ClusterGenerator[];
  readonly nodePids: readonly number[];
  readonly natsPid: number;
  /** Members of the room on each node (publishers included: they get their own messages). */
  readonly membersPerNode: number;
}

export interface WindowOptions {
  readonly windowMs: number;
  /** After the window, deliveries of messages sent in it are still counted this long. */
  readonly graceMs: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** Lower bound of the highest bucket (0.2% precision). */
  readonly maxUs: number;
}

/** What one measurement window saw, all nodes together. */
export interface WindowResult {
  readonly windowS: number;
  readonly published: number;
  readonly deliveries: number;
  /** published x members of the room (every member gets every message, sender included). */
  readonly expectedDeliveries: number;
  /** Receiver on the publisher's node. */
  readonly sameNode: LatencySummary;
  /** Receiver on another node than the publisher's. */
  readonly crossNode: LatencySummary;
  /** `byPair[publisher][receiver]`: latency by publisher node and receiver node. */
  readonly byPair: readonly (readonly LatencySummary[])[];
  readonly nodeCpu: readonly ProcCpu[];
  readonly natsCpu: ProcCpu;
  readonly generatorCpuUs: number;
  /** CPU used in the window by processes other than the cluster, the generators and the bench. */
  readonly otherCpuUs: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly closed: number;
  /** The latest a generator learnt of the window after it opened (0: all in time). */
  readonly lateMs: number;
}

export function summarise(histogram: LatencyHistogram): LatencySummary {
  return {
    count: histogram.count,
    p50Us: histogram.percentile(0.5),
    p99Us: histogram.percentile(0.99),
    maxUs: histogram.percentile(1),
  };
}

const procCpuDelta = (a: ProcCpu, b: ProcCpu): ProcCpu => ({
  userUs: b.userUs - a.userUs,
  systemUs: b.systemUs - a.systemUs,
});
const cpuSum = (c: ProcCpu): number => c.userUs + c.systemUs;

/** Sets the offered rate (publishes/s for the whole room), split evenly over the generators. */
export function setRate(generators: readonly ClusterGenerator[], rate: number): void {
  for (const g of generators) g.send({ type: 'rate', rate: rate / generators.length });
}

/**
 * Measures one window while the generators publish at whatever rate they were given: counts
 * publishes and deliveries of messages sent in it (by send time, so a message in flight at either
 * edge is neither lost nor counted twice), latency by publisher and receiver node, and the CPU of
 * every process from /proc.
 */
export async function measureWindow(
  target: WindowTarget,
  options: WindowOptions,
): Promise<WindowResult> {
  const { generators } = target;
  const startNs = monotonicNs() + WINDOW_LEAD_MS * 1e6;
  const endNs = startNs + options.windowMs * 1e6;
  for (const g of generators) g.send({ type: 'window', startNs, endNs });
  await sleep(WINDOW_LEAD_MS);
  const pids = [...target.nodePids, target.natsPid];
  const before = pids.map(readProcCpu);
  const machineBefore = readMachineCpu();
  const selfBefore = process.cpuUsage();
  await sleep(Math.max(0, (endNs - monotonicNs()) / 1e6));
  const after = pids.map(readProcCpu);
  const machineBusyUs = readMachineCpu().busyUs - machineBefore.busyUs;
  const self = process.cpuUsage(selfBefore);
  await sleep(options.graceMs);
  for (const g of generators) g.send({ type: 'collect' });
  const reports = await Promise.all(generators.map((g) => g.next('collected', REPORT_TIMEOUT_MS)));
  const cpu = pids.map((_, i) => procCpuDelta(before[i]!, after[i]!));
  const nodeCpu = cpu.slice(0, target.nodePids.length);
  const natsCpu = cpu[target.nodePids.length]!;
  return aggregate(target, reports, {
    windowS: options.windowMs / 1000,
    nodeCpu,
    natsCpu,
    machineBusyUs,
    selfUs: self.user + self.system,
  });
}

interface CpuFigures {
  readonly windowS: number;
  readonly nodeCpu: readonly ProcCpu[];
  readonly natsCpu: ProcCpu;
  readonly machineBusyUs: number;
  readonly selfUs: number;
}

function aggregate(
  target: WindowTarget,
  reports: readonly ClusterCollected[],
  cpu: CpuFigures,
): WindowResult {
  const nodes = target.nodePids.length;
  const same = new LatencyHistogram();
  const cross = new LatencyHistogram();
  const pairs = Array.from({ length: nodes }, () =>
    Array.from({ length: nodes }, () => new LatencyHistogram()),
  );
  const errors: Record<string, number> = {};
  for (const report of reports) {
    for (const [publisher, snapshot] of report.byPublisher.entries()) {
      (publisher === report.node ? same : cross).merge(snapshot);
      pairs[publisher]?.[report.node]?.merge(snapshot);
    }
    for (const [code, n] of Object.entries(report.errors)) errors[code] = (errors[code] ?? 0) + n;
  }
  const sum = (pick: (r: ClusterCollected) => number): number =>
    reports.reduce((n, r) => n + pick(r), 0);
  const published = sum((r) => r.published);
  const generatorCpuUs = sum((r) => r.cpuUserUs + r.cpuSystemUs);
  const clusterUs = cpu.nodeCpu.reduce((n, c) => n + cpuSum(c), 0) + cpuSum(cpu.natsCpu);
  return {
    windowS: cpu.windowS,
    published,
    deliveries: sum((r) => r.deliveries),
    expectedDeliveries: published * nodes * target.membersPerNode,
    sameNode: summarise(same),
    crossNode: summarise(cross),
    byPair: pairs.map((row) => row.map(summarise)),
    nodeCpu: cpu.nodeCpu,
    natsCpu: cpu.natsCpu,
    generatorCpuUs,
    // Whatever else ran on the machine in the window (other builds and tests): reported, not hidden.
    otherCpuUs: Math.max(0, cpu.machineBusyUs - clusterUs - generatorCpuUs - cpu.selfUs),
    errors,
    closed: sum((r) => r.closed),
    lateMs: Math.max(...reports.map((r) => r.lateMs)),
  };
}
