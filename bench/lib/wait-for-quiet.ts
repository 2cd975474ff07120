import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchError } from './bench-error.js';
import { readMachineCpu } from './proc-stats.js';

export const DEFAULT_MAX_LOAD = 1.0;
export const DEFAULT_MIN_IDLE = 0.8;
export const DEFAULT_QUIET_WAIT_MS = 20 * 60_000;
export const DEFAULT_QUIET_SAMPLE_MS = 5_000;

export interface QuietOptions {
  /** The 1-minute load average must be below this. */
  readonly maxLoad?: number;
  /** Fraction of all cores idle over one sample, in (0, 1]. */
  readonly minIdle?: number;
  /** Give up waiting after this long and report the machine as busy. */
  readonly maxWaitMs?: number;
  readonly sampleMs?: number;
  readonly log?: (line: string) => void;
}

export interface QuietResult {
  readonly quiet: boolean;
  readonly waitedMs: number;
  readonly load1: number;
  readonly idle: number;
}

/** Idle fraction of all cores over `ms`. */
export async function sampleIdle(ms: number): Promise<number> {
  const a = readMachineCpu();
  await sleep(ms);
  const b = readMachineCpu();
  const busy = b.busyUs - a.busyUs;
  const idle = b.idleUs - a.idleUs;
  return busy + idle === 0 ? 1 : idle / (busy + idle);
}

/**
 * Waits until other work on the machine (other builds, tests) has calmed down, so that a benchmark
 * measures the server rather than its neighbours. Never throws for a busy machine: the caller records
 * the load it ran under.
 */
export async function waitForQuiet(options: QuietOptions = {}): Promise<QuietResult> {
  const maxLoad = options.maxLoad ?? DEFAULT_MAX_LOAD;
  const minIdle = options.minIdle ?? DEFAULT_MIN_IDLE;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_QUIET_WAIT_MS;
  const sampleMs = options.sampleMs ?? DEFAULT_QUIET_SAMPLE_MS;
  if (!(maxLoad > 0)) throw optionError(`options.maxLoad must be positive, got ${maxLoad}`);
  if (!(minIdle > 0 && minIdle <= 1))
    throw optionError(`options.minIdle must be in (0, 1], got ${minIdle}`);
  if (!(maxWaitMs >= 0)) throw optionError(`options.maxWaitMs must be >= 0, got ${maxWaitMs}`);
  if (!(sampleMs > 0)) throw optionError(`options.sampleMs must be positive, got ${sampleMs}`);
  const start = Date.now();
  for (;;) {
    const idle = await sampleIdle(sampleMs);
    const load1 = loadavg()[0]!;
    const waitedMs = Date.now() - start;
    if (load1 < maxLoad && idle >= minIdle) return { quiet: true, waitedMs, load1, idle };
    if (waitedMs >= maxWaitMs) return { quiet: false, waitedMs, load1, idle };
    options.log?.(
      `machine busy (load ${load1.toFixed(2)}, idle ${(idle * 100).toFixed(0)}%), waiting ...`,
    );
    await sleep(Math.min(30_000, Math.max(0, maxWaitMs - waitedMs)));
  }
}

function optionError(message: string): BenchError {
  return new BenchError('ARQ_ERR_BENCH_OPTIONS', message);
}
