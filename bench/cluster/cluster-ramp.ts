import { setTimeout as sleep } from 'node:timers/promises';
import {
  measureWindow,
  setRate,
  type WindowOptions,
  type WindowResult,
  type WindowTarget,
} from './cluster-window.js';
import { MAX_OTHER_CORES, otherCores, waitForIdleCores } from './undisturbed-window.js';

/** A step passes while at least this share of the offered deliveries arrives. */
export const MIN_DELIVERED_SHARE = 0.97;

export interface RampOptions extends WindowOptions {
  /** First offered rate, publishes/s for the whole room. */
  readonly startRate: number;
  /** Each next step offers this many times the previous rate. */
  readonly factor: number;
  /** Never offer more than this. */
  readonly maxRate: number;
  /** Publishing at a step's rate before its window opens. */
  readonly settleMs: number;
  /** Between steps, nothing is published for this long so a backlog does not carry over. */
  readonly drainMs: number;
  /** A step whose p99 (all deliveries) is above this has run away. */
  readonly runawayUs: number;
  /**
   * A step that other processes used more than MAX_OTHER_CORES in is measured again (after waiting
   * for idle cores, up to `quietWaitMs`), up to this many times; 0: never.
   */
  readonly disturbedRetries: number;
  readonly quietWaitMs: number;
  readonly log: (line: string) => void;
}

export interface RampStep {
  readonly offeredRate: number;
  readonly result: WindowResult;
  /** Empty when the step passed, else why not. */
  readonly failure: string;
  /** Other processes disturbed it: it was measured again and does not count. */
  readonly disturbed: boolean;
}

export interface RampResult {
  readonly steps: readonly RampStep[];
  /** The passing step with the most deliveries/s, or null when none passed. */
  readonly peak: RampStep | null;
}

export const deliveredShare = (r: WindowResult): number =>
  r.expectedDeliveries === 0 ? 0 : r.deliveries / r.expectedDeliveries;

/** p99 over every delivery, same-node and cross-node, from the two summaries' worse one. */
const worstP99 = (r: WindowResult): number => Math.max(r.sameNode.p99Us, r.crossNode.p99Us);

function failureOf(r: WindowResult, runawayUs: number): string {
  const share = deliveredShare(r);
  if (share < MIN_DELIVERED_SHARE)
    return `${(share * 100).toFixed(1)}% of offered deliveries arrived`;
  if (!(worstP99(r) <= runawayUs))
    return `p99 ${(worstP99(r) / 1000).toFixed(1)} ms above ${(runawayUs / 1000).toFixed(0)} ms`;
  return '';
}

/**
 * Raises the offered publish rate step by step (open loop) until the cluster no longer delivers
 * MIN_DELIVERED_SHARE of it or latency runs away. A failing step is measured once more before the
 * ramp stops: on a shared machine one disturbed window should not decide the peak.
 */
export async function rampToPeak(target: WindowTarget, options: RampOptions): Promise<RampResult> {
  const steps: RampStep[] = [];
  let rate = options.startRate;
  let failedOnce = false;
  let disturbedTries = 0;
  while (rate <= options.maxRate) {
    if (options.disturbedRetries > 0) await waitForIdleCores(options.quietWaitMs, options.log);
    setRate(target.generators, rate);
    await sleep(options.settleMs);
    const result = await measureWindow(target, options);
    setRate(target.generators, 0);
    const failure = failureOf(result, options.runawayUs);
    const disturbed =
      otherCores(result) > MAX_OTHER_CORES && disturbedTries < options.disturbedRetries;
    steps.push({ offeredRate: rate, result, failure, disturbed });
    options.log(
      `  ramp ${rate} pub/s: ${Math.round(result.deliveries / result.windowS)} deliveries/s, ` +
        `${(deliveredShare(result) * 100).toFixed(1)}% of offered, cross-node p99 ` +
        `${(result.crossNode.p99Us / 1000).toFixed(2)} ms${failure === '' ? '' : ` (${failure})`}` +
        `${disturbed ? ', disturbed by other processes: measuring again' : ''}`,
    );
    await sleep(options.drainMs);
    if (disturbed) {
      disturbedTries++;
      continue;
    }
    disturbedTries = 0;
    if (failure !== '') {
      if (failedOnce) break;
      failedOnce = true;
      continue;
    }
    failedOnce = false;
    rate = Math.round(rate * options.factor);
  }
  const passed = steps.filter((s) => s.failure === '' && !s.disturbed);
  const peak = passed.reduce<RampStep | null>(
    (best, s) =>
      best === null ||
      s.result.deliveries / s.result.windowS > best.result.deliveries / best.result.windowS
        ? s
        : best,
    null,
  );
  return { steps, peak };
}
