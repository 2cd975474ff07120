import { availableParallelism } from 'node:os';
import { markdownTable } from '../lib/index.js';
import type { FanoutResult } from './fanout-case.js';
import { describeShape } from './fanout-shapes.js';

/** Issue targets: ArqonBus total CPU/delivery within this factor of bare uWS, in both shapes. */
export const TARGET_TOTAL_VS_UWS = 1.3;
/** ArqonBus user CPU/delivery at least this many times below Socket.IO's. */
export const TARGET_USER_VS_SOCKETIO = 5;
/** p99 publish-to-delivery latency in the small-rooms shape, in microseconds. */
export const TARGET_SMALL_P99_US = 2000;

const ms = (us: number): string => (Number.isNaN(us) ? '-' : (us / 1000).toFixed(2));
const perDelivery = (us: number, r: FanoutResult): string =>
  r.deliveries === 0 ? '-' : (us / r.deliveries).toFixed(2);
const percentOfCore = (us: number, r: FanoutResult): string =>
  `${((us / 1e6 / r.windowS) * 100).toFixed(0)}%`;

export function fanoutTable(results: readonly FanoutResult[]): string {
  return markdownTable(
    [
      'server',
      'shape',
      'offered pub/s',
      'deliveries/s',
      'of offered',
      'p50 ms',
      'p99 ms',
      'user µs/deliv',
      'sys µs/deliv',
      'total µs/deliv',
      'server CPU',
      'generator CPU',
      'other CPU',
      'load 1m',
    ],
    results.map((r) => [
      r.server,
      describeShape(r.shape),
      String(r.shape.rate),
      Math.round(r.deliveries / r.windowS).toLocaleString('en-US'),
      `${((r.deliveries / r.expectedDeliveries) * 100).toFixed(1)}%`,
      ms(r.p50Us),
      ms(r.p99Us),
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
    const where = `${r.server}, ${describeShape(r.shape)} at ${r.shape.rate} pub/s`;
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

/** One line per ArqonBus row and target, with the measured figure and pass/miss. */
export function fanoutVerdict(results: readonly FanoutResult[]): string[] {
  const lines: string[] = [];
  const total = (r: FanoutResult): number => (r.serverUserUs + r.serverSystemUs) / r.deliveries;
  const user = (r: FanoutResult): number => r.serverUserUs / r.deliveries;
  const mark = (ok: boolean): string => (ok ? 'meets' : 'MISSES');
  for (const r of results) {
    if (!r.server.startsWith('ArqonBus') || r.deliveries === 0) continue;
    const same = (prefix: string): FanoutResult | undefined =>
      results.find((o) => o.server.startsWith(prefix) && o.shape.name === r.shape.name);
    const where = `${r.server}, ${describeShape(r.shape)} at ${r.shape.rate} pub/s`;
    const uws = same('bare uWS');
    if (uws !== undefined && uws.deliveries > 0) {
      const ratio = total(r) / total(uws);
      lines.push(
        `${where}: total CPU/delivery ${total(r).toFixed(2)} µs = ${ratio.toFixed(2)}x bare uWS (${total(uws).toFixed(2)} µs); target <= ${TARGET_TOTAL_VS_UWS}x: ${mark(ratio <= TARGET_TOTAL_VS_UWS)}`,
      );
    }
    const sio = same('Socket.IO');
    if (sio !== undefined && sio.deliveries > 0) {
      const ratio = user(sio) / user(r);
      lines.push(
        `${where}: user CPU/delivery ${user(r).toFixed(2)} µs, Socket.IO ${user(sio).toFixed(2)} µs = ${ratio.toFixed(1)}x lower; target >= ${TARGET_USER_VS_SOCKETIO}x: ${mark(ratio >= TARGET_USER_VS_SOCKETIO)}`,
      );
    }
    if (r.shape.rooms > 1 && uws !== undefined && uws.deliveries > 0)
      lines.push(
        `${where}: p99 ${ms(r.p99Us)} ms (bare uWS ${ms(uws.p99Us)} ms); target < ${ms(TARGET_SMALL_P99_US)} ms: ${mark(r.p99Us < TARGET_SMALL_P99_US)}`,
      );
    else if (r.shape.rooms > 1)
      lines.push(
        `${where}: p99 ${ms(r.p99Us)} ms; target < ${ms(TARGET_SMALL_P99_US)} ms: ${mark(r.p99Us < TARGET_SMALL_P99_US)}`,
      );
  }
  return lines;
}
