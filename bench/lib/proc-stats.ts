import { readFileSync } from 'node:fs';
import { BenchError } from './bench-error.js';

/** Linux reports utime/stime in USER_HZ ticks, which is 100 on every mainstream architecture. */
export const USER_HZ = 100;
const MICROS_PER_TICK = 1_000_000 / USER_HZ;
/** Field numbers (1-based, as in proc(5)) of /proc/PID/stat. */
const STAT_UTIME_FIELD = 14;
const STAT_STIME_FIELD = 15;

/** CPU time a whole process (every thread) has used, in microseconds. */
export interface ProcCpu {
  readonly userUs: number;
  readonly systemUs: number;
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch (cause) {
    throw new BenchError('ARQ_ERR_BENCH_PROC', `cannot read /proc/${pid}/${file}`, { cause });
  }
}

export function readProcCpu(pid: number): ProcCpu {
  const stat = readProc(pid, 'stat');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (n: number): number => Number(rest[n - 3]);
  return {
    userUs: field(STAT_UTIME_FIELD) * MICROS_PER_TICK,
    systemUs: field(STAT_STIME_FIELD) * MICROS_PER_TICK,
  };
}

export function cpuDelta(before: ProcCpu, after: ProcCpu): ProcCpu {
  return { userUs: after.userUs - before.userUs, systemUs: after.systemUs - before.systemUs };
}

/** Resident set size of a process in bytes (VmRSS of /proc/PID/status). */
export function readVmRssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readProc(pid, 'status'));
  if (match === null) throw new BenchError('ARQ_ERR_BENCH_PROC', `no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU time of the whole machine (all cores), in microseconds, from the first line of /proc/stat. */
export interface MachineCpu {
  readonly busyUs: number;
  readonly idleUs: number;
}

export function readMachineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  // cpu  user nice system idle iowait irq softirq steal ...: idle + iowait is idle time.
  const n = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = n[3]! + n[4]!;
  const total = n.reduce((a, b) => a + b, 0);
  return { busyUs: (total - idle) * MICROS_PER_TICK, idleUs: idle * MICROS_PER_TICK };
}
