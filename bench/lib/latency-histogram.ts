/*
 * Latencies in whole microseconds, HDR style: exact below 1024 us, then 512 buckets per power of two
 * (0.2% precision). Generators each keep one and ship it to the coordinator as a sparse snapshot.
 *
 *   value (us)       bucket index
 *   0 .. 1023        value
 *   1024 .. 2047     1024 + (value >> 1) - 512
 *   2048 .. 4095     1536 + (value >> 2) - 512      ... and so on up to 2^31 us
 */
const LINEAR_LIMIT = 1024;
const SUB_BUCKETS = 512;
const SUB_BITS = 9;
const MAX_SHIFT = 31 - SUB_BITS;
const BUCKETS = LINEAR_LIMIT + MAX_SHIFT * SUB_BUCKETS;
const MAX_VALUE_US = 2 ** 31 - 1;

/** Non-empty buckets as [index, count] pairs: what crosses the IPC channel. */
export type HistogramSnapshot = readonly (readonly [number, number])[];

function indexOf(valueUs: number): number {
  const v = Math.min(MAX_VALUE_US, Math.max(0, Math.floor(valueUs)));
  if (v < LINEAR_LIMIT) return v;
  const shift = 31 - Math.clz32(v) - SUB_BITS;
  return LINEAR_LIMIT + (shift - 1) * SUB_BUCKETS + ((v >> shift) - SUB_BUCKETS);
}

function lowerBoundOf(index: number): number {
  if (index < LINEAR_LIMIT) return index;
  const shift = Math.floor((index - LINEAR_LIMIT) / SUB_BUCKETS) + 1;
  return (((index - LINEAR_LIMIT) % SUB_BUCKETS) + SUB_BUCKETS) * 2 ** shift;
}

export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #total = 0;

  get count(): number {
    return this.#total;
  }

  record(valueUs: number): void {
    this.#counts[indexOf(valueUs)]!++;
    this.#total++;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
  }

  merge(snapshot: HistogramSnapshot): void {
    for (const [index, count] of snapshot) {
      this.#counts[index]! += count;
      this.#total += count;
    }
  }

  snapshot(): HistogramSnapshot {
    const out: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.#counts[i]! > 0) out.push([i, this.#counts[i]!]);
    return out;
  }

  /** The lower bound (us) of the bucket holding the p-quantile, `p` in [0, 1]; NaN when empty. */
  percentile(p: number): number {
    if (this.#total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(p * this.#total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return lowerBoundOf(i);
    }
    return lowerBoundOf(BUCKETS - 1);
  }
}
