import { setTimeout as sleep } from 'node:timers/promises';
import { BenchError, LatencyHistogram, monotonicNs } from '../lib/index.js';
import { PROBE_PREFIX } from './cluster-messages.js';
import { type ClusterGenerator, type LatencySummary, summarise } from './cluster-window.js';

const PROBE_TIMEOUT_MS = 15_000;

export interface PresenceOptions {
  readonly probes: number;
  /** The nodes' --presence-broadcast-ms: pauses between probes are drawn from it. */
  readonly broadcastMs: number;
  /** A node that has not seen a probe's join this long after it is counted as missing it. */
  readonly seenTimeoutMs: number;
  readonly log: (line: string) => void;
}

export interface ProbeResult {
  /** Node the probe joined on (0-based). */
  readonly node: number;
  /** From the join frame leaving to its reply, in microseconds. */
  readonly replyUs: number;
  /** Per node, from the join frame leaving to that node's watcher seeing it; null: never seen. */
  readonly seenUs: readonly (number | null)[];
}

export interface PresenceResult {
  readonly probes: readonly ProbeResult[];
  /** Time until the join was seen on every node (probes seen everywhere only). */
  readonly allNodes: LatencySummary;
  /** Time until seen on the node the probe joined. */
  readonly localNode: LatencySummary;
  /** Probes that some node never saw within the timeout. */
  readonly missed: number;
}

async function seenOn(
  generator: ClusterGenerator,
  sub: string,
  deadlineNs: number,
): Promise<number | null> {
  for (;;) {
    const leftMs = (deadlineNs - monotonicNs()) / 1e6;
    if (leftMs <= 0) return null;
    try {
      const seen = await generator.next('seen', leftMs);
      // A report for an earlier probe that timed out elsewhere: not this one.
      if (seen.sub === sub) return seen.atNs;
    } catch (error) {
      if (error instanceof BenchError && error.code === 'ARQ_ERR_BENCH_TIMEOUT') return null;
      throw error;
    }
  }
}

/**
 * Presence convergence: a fresh client joins the room on node i (round robin), and one watching
 * member on every node reports when its first presence_diff listing the new `sub` arrives. Between
 * probes: one broadcast period (the previous probe's leave goes out) plus a random share of two
 * more, so that joins fall at every phase of the nodes' broadcast timers.
 */
export async function measurePresence(
  generators: readonly ClusterGenerator[],
  options: PresenceOptions,
): Promise<PresenceResult> {
  const probes: ProbeResult[] = [];
  const all = new LatencyHistogram();
  const local = new LatencyHistogram();
  let missed = 0;
  const runId = monotonicNs().toString(36);
  for (let k = 0; k < options.probes; k++) {
    const node = k % generators.length;
    const sub = `${PROBE_PREFIX}${runId}-${k}`;
    generators[node]!.send({ type: 'probe', sub });
    const probed = await generators[node]!.next('probed', PROBE_TIMEOUT_MS);
    const deadlineNs = probed.sentNs + options.seenTimeoutMs * 1e6;
    const seen = await Promise.all(generators.map((g) => seenOn(g, sub, deadlineNs)));
    const seenUs = seen.map((at) => (at === null ? null : (at - probed.sentNs) / 1000));
    probes.push({ node, replyUs: (probed.repliedNs - probed.sentNs) / 1000, seenUs });
    if (seenUs.every((us) => us !== null)) all.record(Math.max(...(seenUs as number[])));
    else missed++;
    if (seenUs[node] !== null) local.record(seenUs[node]!);
    generators[node]!.send({ type: 'unprobe', sub });
    await generators[node]!.next('unprobed', PROBE_TIMEOUT_MS);
    await sleep(options.broadcastMs * (1 + 2 * Math.random()));
  }
  options.log(
    `  presence: ${options.probes} probes, p50 ${(all.percentile(0.5) / 1000).toFixed(1)} ms to every node`,
  );
  return { probes, allNodes: summarise(all), localNode: summarise(local), missed };
}
