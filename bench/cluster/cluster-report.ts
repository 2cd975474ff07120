import { availableParallelism } from 'node:os';
import { markdownTable, type ProcCpu } from '../lib/index.js';
import type { PresenceResult } from './cluster-presence.js';
import { deliveredShare, type RampResult } from './cluster-ramp.js';
import type { LatencySummary, WindowResult } from './cluster-window.js';

/** Issue target: cross-node p99 below this at half of peak, in microseconds. */
export const TARGET_CROSS_P99_US = 10_000;
/** Issue target: a join seen on every node within this many broadcast periods. */
export const TARGET_BROADCAST_PERIODS = 2;
/** Above this share of all cores busy in a window, latency mostly measures waiting for a core. */
export const CPU_BOUND_SHARE = 0.85;

const ms = (us: number): string => (Number.isNaN(us) ? '-' : (us / 1000).toFixed(2));
const rate = (n: number, r: WindowResult): string =>
  Math.round(n / r.windowS).toLocaleString('en-US');
const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
const core = (us: number, r: WindowResult): string =>
  `${((us / 1e6 / r.windowS) * 100).toFixed(0)}%`;
const cpuTotal = (c: ProcCpu): number => c.userUs + c.systemUs;
const nodesCpuUs = (r: WindowResult): number => r.nodeCpu.reduce((n, c) => n + cpuTotal(c), 0);
const busyCores = (r: WindowResult): number =>
  (nodesCpuUs(r) + cpuTotal(r.natsCpu) + r.generatorCpuUs + r.otherCpuUs) / 1e6 / r.windowS;

export function rampTable(ramp: RampResult, membersInRoom: number): string {
  return markdownTable(
    [
      'offered pub/s',
      'offered deliveries/s',
      'deliveries/s',
      'of offered',
      'same-node p50 ms',
      'same-node p99 ms',
      'cross-node p50 ms',
      'cross-node p99 ms',
      'nodes CPU',
      'NATS CPU',
      'generator CPU',
      'other CPU',
      'step',
    ],
    ramp.steps.map(({ offeredRate, result: r, failure, disturbed }) => [
      String(offeredRate),
      (offeredRate * membersInRoom).toLocaleString('en-US'),
      rate(r.deliveries, r),
      percent(deliveredShare(r)),
      ms(r.sameNode.p50Us),
      ms(r.sameNode.p99Us),
      ms(r.crossNode.p50Us),
      ms(r.crossNode.p99Us),
      core(nodesCpuUs(r), r),
      core(cpuTotal(r.natsCpu), r),
      core(r.generatorCpuUs, r),
      core(r.otherCpuUs, r),
      disturbed
        ? 'disturbed by other processes: measured again'
        : failure === ''
          ? r === ramp.peak?.result
            ? 'ok, **peak**'
            : 'ok'
          : `failed: ${failure}`,
    ]),
  );
}

export function windowTable(offeredRate: number, r: WindowResult): string {
  const cells = (s: LatencySummary): string[] => [ms(s.p50Us), ms(s.p99Us), ms(s.maxUs)];
  return markdownTable(
    [
      'offered pub/s',
      'deliveries/s',
      'of offered',
      'same-node p50 ms',
      'same-node p99 ms',
      'same-node max ms',
      'cross-node p50 ms',
      'cross-node p99 ms',
      'cross-node max ms',
      'cross-node deliveries',
    ],
    [
      [
        String(offeredRate),
        rate(r.deliveries, r),
        percent(deliveredShare(r)),
        ...cells(r.sameNode),
        ...cells(r.crossNode),
        r.crossNode.count.toLocaleString('en-US'),
      ],
    ],
  );
}

/** CPU of every process in the window: each node (all its threads), NATS, generators, the rest. */
export function cpuTable(r: WindowResult): string {
  const perDelivery = (us: number): string =>
    r.deliveries === 0 ? '-' : (us / r.deliveries).toFixed(2);
  const row = (name: string, c: ProcCpu): string[] => [
    name,
    core(c.userUs, r),
    core(c.systemUs, r),
    core(cpuTotal(c), r),
    perDelivery(cpuTotal(c)),
  ];
  const nodesTotal: ProcCpu = {
    userUs: r.nodeCpu.reduce((n, c) => n + c.userUs, 0),
    systemUs: r.nodeCpu.reduce((n, c) => n + c.systemUs, 0),
  };
  const blank = (name: string, us: number): string[] => [
    name,
    '',
    '',
    core(us, r),
    perDelivery(us),
  ];
  return markdownTable(
    ['process', 'user', 'system', 'total (% of one core)', 'µs per delivery'],
    [
      ...r.nodeCpu.map((c, i) => row(`node ${i + 1}`, c)),
      row('all nodes', nodesTotal),
      row('nats-server', r.natsCpu),
      blank(`generators (${r.nodeCpu.length} proc)`, r.generatorCpuUs),
      blank('other (not the bench)', r.otherCpuUs),
    ],
  );
}

/** p50 / p99 by publisher node (rows) and receiver node (columns). */
export function pairTable(r: WindowResult): string {
  return markdownTable(
    ['publisher \\ receiver', ...r.byPair.map((_, i) => `node ${i + 1} p50 / p99 ms`)],
    r.byPair.map((row, p) => [
      `node ${p + 1}`,
      ...row.map((s) => `${ms(s.p50Us)} / ${ms(s.p99Us)}`),
    ]),
  );
}

export function presenceTable(presence: PresenceResult, broadcastMs: number): string {
  const replies = presence.probes.map((p) => p.replyUs).sort((a, b) => a - b);
  const median = replies.length === 0 ? Number.NaN : replies[Math.floor(replies.length / 2)]!;
  return markdownTable(
    [
      'probes',
      'broadcast period ms',
      'target ms',
      'seen on every node p50 ms',
      'p99 ms',
      'max ms',
      'seen on the joining node p50 ms',
      'join reply p50 ms',
      'not seen everywhere',
    ],
    [
      [
        String(presence.probes.length),
        String(broadcastMs),
        String(TARGET_BROADCAST_PERIODS * broadcastMs),
        ms(presence.allNodes.p50Us),
        ms(presence.allNodes.p99Us),
        ms(presence.allNodes.maxUs),
        ms(presence.localNode.p50Us),
        ms(median),
        String(presence.missed),
      ],
    ],
  );
}

/** What a reader must know about a window: errors, closed clients, a CPU-bound machine. */
export function windowAnomalies(where: string, r: WindowResult): string[] {
  const lines: string[] = [];
  const cores = availableParallelism();
  if (busyCores(r) > cores * CPU_BOUND_SHARE)
    lines.push(
      `${where}: the machine was CPU-bound (nodes + NATS + generators + other = ${busyCores(r).toFixed(2)} of ${cores} cores): latency includes waiting for a core`,
    );
  const errors = Object.entries(r.errors);
  if (errors.length > 0)
    lines.push(`${where}: errors ${errors.map(([c, n]) => `${c} x${n}`).join(', ')}`);
  if (r.closed > 0) lines.push(`${where}: ${r.closed} clients closed during the window`);
  if (r.lateMs > 0)
    lines.push(
      `${where}: a generator learnt of the window ${r.lateMs.toFixed(0)} ms after it opened (its event loop was saturated): the first ${r.lateMs.toFixed(0)} ms of its counts are missing`,
    );
  return lines;
}

export function clusterVerdict(
  half: WindowResult | null,
  presence: PresenceResult | null,
  broadcastMs: number,
): string[] {
  const mark = (ok: boolean): string => (ok ? 'meets' : 'MISSES');
  const lines: string[] = [];
  if (half !== null)
    lines.push(
      `cross-node p99 at half of peak: ${ms(half.crossNode.p99Us)} ms; target < ${ms(TARGET_CROSS_P99_US)} ms: ${mark(half.crossNode.p99Us < TARGET_CROSS_P99_US)}`,
    );
  if (presence !== null) {
    const target = TARGET_BROADCAST_PERIODS * broadcastMs * 1000;
    const worst = presence.missed > 0 ? Number.POSITIVE_INFINITY : presence.allNodes.maxUs;
    lines.push(
      `join seen on every node: p99 ${ms(presence.allNodes.p99Us)} ms, max ${ms(presence.allNodes.maxUs)} ms` +
        `${presence.missed > 0 ? `, ${presence.missed} probes never seen everywhere` : ''}; ` +
        `target within ${TARGET_BROADCAST_PERIODS} x ${broadcastMs} ms = ${ms(target)} ms: ` +
        `p99 ${mark(presence.allNodes.p99Us <= target && presence.missed === 0)}, every probe ${mark(worst <= target)}`,
    );
  }
  return lines;
}
