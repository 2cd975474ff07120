import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { NodeError } from './node-error.js';

/** How often the heap and the event loop are looked at. */
export const IDLE_GC_CHECK_MS = 1_000;
/** Growth of the committed heap since the last full collection that makes one worth it. */
export const IDLE_GC_MIN_GROWTH_BYTES = 16 * 1024 * 1024;
/** The event loop counts as idle below this share of busy time over one check period. */
export const IDLE_GC_MAX_BUSY = 0.05;

/** What the collector reads and does; the defaults are V8's and the event loop's own. */
export interface IdleCollectorProbe {
  /** Bytes the JS heap holds from the system (V8's `total_heap_size`). */
  heapBytes(): number;
  /** Share of time the event loop was busy (0..1) since the previous call. */
  busy(): number;
  /** A full, memory-reducing collection; `done` once it is over. */
  collect(done: () => void): void;
}

export interface IdleCollectorOptions {
  readonly checkMs?: number;
  readonly minGrowthBytes?: number;
  readonly maxBusy?: number;
  /** Defaults to `defaultIdleProbe()`. */
  readonly probe?: IdleCollectorProbe;
}

/**
 * Gives back memory that a burst of work (typically many connections set up at once) left as
 * garbage, once the node is idle. V8 collects the old generation when it grows past a limit or its
 * memory reducer decides to; an idle node does neither, so objects promoted during a connection
 * storm (token checks, joins, presence frames) stay committed, and the young generation stays
 * grown: measured at 10,000 connections, ~100 MiB of RSS that a full GC gives back (bench/RESULTS.md,
 * "Connections"). So: once the committed heap has grown by `minGrowthBytes` since the last full
 * collection and the event loop was idle for a whole check period, collect once. Under load it
 * never runs (V8's own schedule applies); an idle node pays one pause (tens of ms) per such growth.
 */
export class IdleCollector {
  readonly #checkMs: number;
  readonly #minGrowthBytes: number;
  readonly #maxBusy: number;
  readonly #probe: IdleCollectorProbe;
  /** The smallest committed heap seen since the last collection (V8 may shrink it by itself). */
  #floor: number;
  #collecting = false;
  #collections = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: IdleCollectorOptions = {}) {
    this.#checkMs = positive(options.checkMs ?? IDLE_GC_CHECK_MS, 'checkMs');
    this.#minGrowthBytes = positive(
      options.minGrowthBytes ?? IDLE_GC_MIN_GROWTH_BYTES,
      'minGrowthBytes',
    );
    const maxBusy = options.maxBusy ?? IDLE_GC_MAX_BUSY;
    if (!(maxBusy > 0 && maxBusy <= 1)) {
      throw new NodeError('ARQ_ERR_NODE_CONFIG', `maxBusy must be in (0, 1], got ${maxBusy}`);
    }
    this.#maxBusy = maxBusy;
    this.#probe = options.probe ?? defaultIdleProbe();
    this.#floor = this.#probe.heapBytes();
  }

  /** Collections made so far. */
  get collections(): number {
    return this.#collections;
  }

  start(): void {
    if (this.#timer !== null) return;
    this.#probe.busy();
    this.#timer = setInterval(() => this.check(), this.#checkMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One look (the timer calls it every `checkMs`); true when it started a collection. */
  check(): boolean {
    const heap = this.#probe.heapBytes();
    if (heap < this.#floor) this.#floor = heap;
    const busy = this.#probe.busy();
    if (this.#collecting || heap - this.#floor < this.#minGrowthBytes || busy > this.#maxBusy) {
      return false;
    }
    this.#collecting = true;
    this.#probe.collect(() => {
      this.#collecting = false;
      this.#collections++;
      // What the collection could not give back is live (or V8 keeps it): not a reason to collect
      // again until the heap grows by another `minGrowthBytes`.
      this.#floor = this.#probe.heapBytes();
    });
    return true;
  }
}

/**
 * V8's committed heap, the event loop's utilisation, and a collection through the in-process
 * inspector: `HeapProfiler.collectGarbage` is V8's low-memory collection (full, compacting, and it
 * shrinks the young generation and returns freed pages), which `gc()` under `--expose-gc` is not.
 * No port is opened and no flag is changed. Without an inspector (a node built without it, where
 * even importing `node:inspector` throws) the collection is skipped.
 */
export function defaultIdleProbe(): IdleCollectorProbe {
  let last = performance.eventLoopUtilization();
  const inspector = loadInspector();
  return {
    heapBytes: () => getHeapStatistics().total_heap_size,
    busy: () => {
      const now = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(now, last);
      last = now;
      return delta.utilization;
    },
    collect: (done) => {
      if (inspector === null) {
        done();
        return;
      }
      let session: InspectorSession;
      try {
        session = new inspector.Session();
        session.connect();
      } catch {
        done();
        return;
      }
      session.post('HeapProfiler.collectGarbage', () => {
        // Disconnecting from inside the session's own callback never returns: do it just after.
        setImmediate(() => {
          session.disconnect();
          done();
        });
      });
    },
  };
}

type InspectorModule = typeof import('node:inspector');
type InspectorSession = InstanceType<InspectorModule['Session']>;

function loadInspector(): InspectorModule | null {
  if (!process.features.inspector) return null;
  try {
    return createRequire(import.meta.url)('node:inspector') as InspectorModule;
  } catch {
    return null;
  }
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new NodeError('ARQ_ERR_NODE_CONFIG', `${name} must be a positive number, got ${value}`);
  }
  return value;
}
