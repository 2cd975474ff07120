/** An inclusive range of clocks `[first, last]` of one replica. */
export type ClockRange = readonly [first: number, last: number];

/**
 * The set of dots (clocks) of ONE replica that a store has seen, as sorted, disjoint, non-adjacent
 * inclusive ranges. The usual case is one range `[1, n]`: the replica's contiguous clock `n`. Any
 * further range is the "cloud" of dots seen past a hole, i.e. a gap in the deltas received; a delta
 * itself is usually one range plus the lone dots of older entries it removed.
 *
 *   ranges: [1, 10] [14, 15] [20, 20]      contiguous = 10, cloud = {14, 15, 20}
 *   flat:   [1, 10, 14, 15, 20, 20]        (kept flat: one small array, no tuple objects)
 */
export class CausalContext {
  #flat: number[];

  private constructor(flat: number[]) {
    this.#flat = flat;
  }

  static empty(): CausalContext {
    return new CausalContext([]);
  }

  /** Ranges in any order, overlapping or not; each must already be checked (1 <= first <= last). */
  static fromRanges(ranges: Iterable<ClockRange>): CausalContext {
    const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
    const flat: number[] = [];
    for (const [first, last] of sorted) {
      const n = flat.length;
      if (n > 0 && first <= flat[n - 1]! + 1) {
        if (last > flat[n - 1]!) flat[n - 1] = last;
      } else {
        flat.push(first, last);
      }
    }
    return new CausalContext(flat);
  }

  get isEmpty(): boolean {
    return this.#flat.length === 0;
  }

  /** The largest n such that every dot 1..n is in the set (0 when dot 1 is missing). */
  get contiguous(): number {
    return this.#flat[0] === 1 ? this.#flat[1]! : 0;
  }

  /** The largest dot in the set (0 when empty). */
  get max(): number {
    return this.#flat.length === 0 ? 0 : this.#flat[this.#flat.length - 1]!;
  }

  /** True when some dot is missing below the largest one. */
  get hasGaps(): boolean {
    return this.#flat.length > 2 || (this.#flat.length === 2 && this.#flat[0] !== 1);
  }

  /** The number of dots in the set. */
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.#flat.length; i += 2) n += this.#flat[i + 1]! - this.#flat[i]! + 1;
    return n;
  }

  has(dot: number): boolean {
    return this.#rangeOf(dot) >= 0;
  }

  /** True when every dot of `[first, last]` is in the set. */
  hasRange(first: number, last: number): boolean {
    const i = this.#rangeOf(first);
    return i >= 0 && last <= this.#flat[i + 1]!;
  }

  add(dot: number): void {
    const flat = this.#flat;
    const n = flat.length;
    // Fast path: a replica's own clock only ever grows by one.
    if (n > 0 && dot === flat[n - 1]! + 1) {
      flat[n - 1] = dot;
      return;
    }
    if (n === 0 || dot > flat[n - 1]! + 1) {
      flat.push(dot, dot);
      return;
    }
    if (!this.has(dot)) this.union(new CausalContext([dot, dot]));
  }

  /** Adds every dot of `other` (set union, in place). */
  union(other: CausalContext): void {
    const a = this.#flat;
    const b = other.#flat;
    if (b.length === 0) return;
    if (a.length === 0) {
      this.#flat = b.slice();
      return;
    }
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      let first: number;
      let last: number;
      if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
        first = a[i]!;
        last = a[i + 1]!;
        i += 2;
      } else {
        first = b[j]!;
        last = b[j + 1]!;
        j += 2;
      }
      const n = out.length;
      if (n > 0 && first <= out[n - 1]! + 1) {
        if (last > out[n - 1]!) out[n - 1] = last;
      } else {
        out.push(first, last);
      }
    }
    this.#flat = out;
  }

  *dots(): IterableIterator<number> {
    for (let i = 0; i < this.#flat.length; i += 2) {
      for (let d = this.#flat[i]!; d <= this.#flat[i + 1]!; d++) yield d;
    }
  }

  ranges(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.#flat.length; i += 2) out.push([this.#flat[i]!, this.#flat[i + 1]!]);
    return out;
  }

  clone(): CausalContext {
    return new CausalContext(this.#flat.slice());
  }

  /** The flat index of the range holding `dot`, or -1: a binary search over range starts. */
  #rangeOf(dot: number): number {
    const flat = this.#flat;
    let lo = 0;
    let hi = flat.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (flat[mid * 2]! <= dot) {
        if (dot <= flat[mid * 2 + 1]!) return mid * 2;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }
}
