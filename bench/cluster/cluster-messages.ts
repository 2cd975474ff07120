import type { FailedReport, HistogramSnapshot } from '../lib/index.js';

/** Subs of presence probes start with this; watchers report only those. */
export const PROBE_PREFIX = 'probe-';

/** One generator process per node: it connects that node's members and its publisher. */
export type ClusterCommand =
  | {
      readonly type: 'setup';
      /** `ws://host:port` of the node this generator talks to. */
      readonly url: string;
      /** Index of that node (0-based): stamped into publishes, compared on delivery. */
      readonly node: number;
      readonly nodes: number;
      readonly secret: string;
      readonly tenant: string;
      readonly room: string;
      /** Members on this node; the first publishes, the second watches presence. */
      readonly members: number;
      readonly concurrency: number;
      readonly timeoutMs: number;
    }
  /** Publish at `rate` publishes/s (0 stops), open loop. */
  | { readonly type: 'rate'; readonly rate: number }
  /**
   * A measurement window on the shared monotonic clock: publishes sent and deliveries of messages
   * SENT in [startNs, endNs) are counted, whenever they arrive until `collect`.
   */
  | { readonly type: 'window'; readonly startNs: number; readonly endNs: number }
  | { readonly type: 'collect' }
  /** Connect a fresh client as `sub`, then join the room (the presence probe). */
  | { readonly type: 'probe'; readonly sub: string }
  /** Close the probe client `sub`. */
  | { readonly type: 'unprobe'; readonly sub: string }
  | { readonly type: 'stop' };

export interface ClusterCollected {
  readonly type: 'collected';
  readonly node: number;
  readonly published: number;
  readonly deliveries: number;
  /** Latency of deliveries in the window by publisher node, indexed by that node. */
  readonly byPublisher: readonly HistogramSnapshot[];
  readonly errors: Readonly<Record<string, number>>;
  readonly closed: number;
  /** Generator CPU between startNs and endNs (sampled by timers at those instants). */
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  /** How late the `window` command arrived after startNs (0 when in time): counts miss that start. */
  readonly lateMs: number;
}

export type ClusterReport =
  | { readonly type: 'ready'; readonly clients: number; readonly retries: number }
  | ClusterCollected
  /** The probe's join frame left at `sentNs`; its reply came back at `repliedNs`. */
  | {
      readonly type: 'probed';
      readonly sub: string;
      readonly sentNs: number;
      readonly repliedNs: number;
    }
  /** This node's watcher saw a presence_diff join of `sub` at `atNs`. */
  | { readonly type: 'seen'; readonly node: number; readonly sub: string; readonly atNs: number }
  | { readonly type: 'unprobed' }
  | { readonly type: 'stopped' }
  | FailedReport;
