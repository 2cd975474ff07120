import { availableParallelism } from 'node:os';
import { markdownTable, median } from '../lib/index.js';
import type { FanoutResult } from './fanout-case.js';
import { describeShape } from './fanout-shapes.js';

/** ArqonBus user CPU/delivery at least this many times below Socket.IO's. */
export const TARGET_USER_VS_SOCKETIO = 5;
/** ArqonBus's p99 publish-to-delivery at most this many times bare uWS's, same round, every shape. */
export const TARGET_P99_VS_UWS = 2;

const ms = (us: number): string => (Number.isNaN(us) ? '-' : (us / 1000).toFixed(2));
const perDelivery = (us: number, r: FanoutResult): string =>
  r.deliveries === 0 ? '-' : (us / r.deliveries).toFixed(2);
const percentOfCore = (us: number, r: FanoutResult): string =>
  `${((us / 1e6 / r.windowS) * 100).toFixed(0)}%`;

export function fanoutTable(results: readonly FanoutResult[]): string {
  const rounds = results.some((r) => r.round > 1);
  return markdownTable(
    [
      ...(rounds ? ['round'] : []),
      'server',
      'shape',
      'offered pub/s',
      'deliveries/s',
      'of offered',
      'p50 ms',
      'p99 ms',
      'missing',
      'dup',
      'user µs/deliv',
      'sys µs/deliv',
      'total µs/deliv',
      'server CPU',
      'generator CPU',
      'other CPU',
      'load 1m',
    ],
    results.map((r) => [
      ...(rounds ? [String(r.round)] : []),
      r.server,
      describeShape(r.shape),
      String(r.shape.rate),
      Math.round(r.deliveries / r.windowS).toLocaleString('en-US'),
      `${((r.deliveries / r.expectedDeliveries) * 100).toFixed(1)}%`,
      ms(r.p50Us),
      ms(r.p99Us),
      String(r.missing),
      String(r.duplicates),
      perDelivery(r.serverUserUs, r),
      perDelivery(r.serverSystemUs, r),
      perDelivery(r.serverUserUs + r.serverSystemUs, r),
      percentOfCore(r.serverUserUs + r.serverSystemUs, r),
      `${percentOfCore(r.generatorCpuUs, r)} (${r.generators} proc)`,
      percentOfCore(r.otherCpuUs, r),
      r.load1.toFixed(2),
    ]),
  );
}

/** Above this share of all cores busy in the window, latency mostly measures CPU contention. */
export const CPU_BOUND_SHARE = 0.85;

/** Anything a reader must know about a row: errors, closed clients, deliveries missing, no CPU left. */
export function fanoutAnomalies(results: readonly FanoutResult[]): string[] {
  const lines: string[] = [];
  const cores = availableParallelism();
  for (const r of results) {
    const where = `${r.server}, ${describeShape(r.shape)} at ${r.shape.rate} pub/s${r.round > 1 ? ` (round ${r.round})` : ''}`;
    const busyCores =
      (r.serverUserUs + r.serverSystemUs + r.generatorCpuUs + r.otherCpuUs) / 1e6 / r.windowS;
    if (busyCores > cores * CPU_BOUND_SHARE)
      lines.push(
        `${where}: the machine was CPU-bound (server + generators + other = ${busyCores.toFixed(2)} of ${cores} cores): its latency mostly measures waiting for a core`,
      );
    const errors = Object.entries(r.errors);
    if (errors.length > 0)
      lines.push(`${where}: errors ${errors.map(([c, n]) => `${c} x${n}`).join(', ')}`);
    if (r.closed > 0) lines.push(`${where}: ${r.closed} clients closed during the window`);
    if (r.missing > 0 || r.duplicates > 0)
      lines.push(
        `${where}: counted per member by sequence number, ${r.missing} messages never arrived (${r.membersShort} members short) and ${r.duplicates} arrived twice or out of order`,
      );
    if (r.attempts > 1)
      lines.push(
        `${where}: measured ${r.attempts} times (other processes disturbed the earlier windows); the last is shown`,
      );
    if (r.setupRetries > 0)
      lines.push(
        `${where}: ${r.setupRetries} connection attempts failed during set-up (refused, or closed before the join was confirmed) and were made again`,
      );
    if (r.deliveries < r.expectedDeliveries * 0.98)
      lines.push(
        `${where}: only ${((r.deliveries / r.expectedDeliveries) * 100).toFixed(1)}% of offered deliveries arrived (saturated or dropping)`,
      );
  }
  return lines;
}

/** One figure per round, and with several rounds their median, which is what the target is read on. */
export function figures(values: readonly number[], digits: number, unit = ''): string {
  const one = (v: number): string => `${v.toFixed(digits)}${unit}`;
  if (values.length === 1) return one(values[0] as number);
  return `median ${one(median(values))} (rounds: ${values.map(one).join(', ')})`;
}

/**
 * One line per ArqonBus server, shape and target, with the measured figure and pass/miss. Each
 * round's ArqonBus case is compared with the peer measured in the same round; with several rounds
 * the verdict is on the median.
 */
export function fanoutVerdict(results: readonly FanoutResult[]): string[] {
  const lines: string[] = [];
  const total = (r: FanoutResult): number => (r.serverUserUs + r.serverSystemUs) / r.deliveries;
  const user = (r: FanoutResult): number => r.serverUserUs / r.deliveries;
  const mark = (ok: boolean): string => (ok ? 'meets' : 'MISSES');
  const measured = results.filter((r) => r.deliveries > 0);
  // One entry per ArqonBus server and shape, whichever rounds measured it.
  const arqon = measured.filter(
    (r, i) =>
      r.server.startsWith('ArqonBus') &&
      measured.findIndex((o) => o.server === r.server && o.shape.name === r.shape.name) === i,
  );
  for (const first of arqon) {
    const rows = measured.filter(
      (r) => r.server === first.server && r.shape.name === first.shape.name,
    );
    const peer = (prefix: string, round: number): FanoutResult | undefined =>
      measured.find(
        (o) =>
          o.server.startsWith(prefix) &&
          o.node === first.node &&
          o.shape.name === first.shape.name &&
          o.round === round,
      );
    const where = `${first.server}, ${describeShape(first.shape)} at ${first.shape.rate} pub/s`;
    const vsUws = rows.flatMap((r) => {
      const uws = peer('bare uWS', r.round);
      return uws === undefined ? [] : [{ ratio: total(r) / total(uws), r, uws }];
    });
    if (vsUws.length > 0) {
      const ratio = median(vsUws.map((p) => p.ratio));
      const mine = figures(
        vsUws.map((p) => total(p.r)),
        2,
        ' µs',
      );
      const theirs = figures(
        vsUws.map((p) => total(p.uws)),
        2,
        ' µs',
      );
      const target = first.shape.cpuTargetVsUws;
      lines.push(
        `${where}: total CPU/delivery ${mine}, bare uWS ${theirs}; ratio ${figures(
          vsUws.map((p) => p.ratio),
          2,
          'x',
        )}; target <= ${target}x: ${mark(ratio <= target)}`,
      );
    }
    const vsSio = rows.flatMap((r) => {
      const sio = peer('Socket.IO', r.round);
      return sio === undefined ? [] : [{ ratio: user(sio) / user(r), r, sio }];
    });
    if (vsSio.length > 0) {
      const ratio = median(vsSio.map((p) => p.ratio));
      lines.push(
        `${where}: user CPU/delivery ${figures(
          vsSio.map((p) => user(p.r)),
          2,
          ' µs',
        )}, Socket.IO ${figures(
          vsSio.map((p) => user(p.sio)),
          2,
          ' µs',
        )}; ${figures(
          vsSio.map((p) => p.ratio),
          1,
          'x',
        )} lower; target >= ${TARGET_USER_VS_SOCKETIO}x: ${mark(ratio >= TARGET_USER_VS_SOCKETIO)}`,
      );
    }
    const p99 = rows.flatMap((r) => {
      const uws = peer('bare uWS', r.round);
      return uws === undefined ? [] : [{ ratio: r.p99Us / uws.p99Us, r, uws }];
    });
    if (p99.length > 0)
      lines.push(
        `${where}: p99 ${figures(
          p99.map((p) => p.r.p99Us / 1000),
          2,
          ' ms',
        )}, bare uWS ${figures(
          p99.map((p) => p.uws.p99Us / 1000),
          2,
          ' ms',
        )}; ratio ${figures(
          p99.map((p) => p.ratio),
          2,
          'x',
        )}; target <= ${TARGET_P99_VS_UWS}x: ${mark(median(p99.map((p) => p.ratio)) <= TARGET_P99_VS_UWS)}`,
      );
    const missing = rows.reduce((n, r) => n + r.missing, 0);
    const duplicates = rows.reduce((n, r) => n + r.duplicates, 0);
    lines.push(
      `${where}: counted per member by sequence number over ${rows.length} round(s), ${missing} missing and ${duplicates} duplicates; target 0 and 0: ${mark(missing === 0 && duplicates === 0)}`,
    );
  }
  return lines;
}
