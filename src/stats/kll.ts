/**
 * A KLL quantile sketch (Karnin, Lang, Liberty 2016), written here because no well-kept npm
 * package offers a mergeable rank-error sketch we could add (DataSketches has no JS port;
 * `tdigest` is unmaintained). Levels hold items of weight 2^h; level h keeps at most
 * max(8, k·(2/3)^(top − h)) items; a full level is sorted and every other item (random
 * offset) moves up with twice the weight.
 *
 * Error: the normalized rank error of a query is below ε(k) ≈ 2.3 / k^0.97 with 99%
 * probability (DataSketches' figure for this design; the tests measure it). The sketch is
 * driven by a seeded generator and sees values one at a time in stream order, so the same
 * rows give the same sketch whatever the batch size. Merging two sketches keeps the bound.
 * Memory: about 3k doubles.
 */

/** DataSketches' 99%-confidence normalized rank error for a KLL sketch of parameter k. */
export function kllRankError(k: number): number {
  return 2.296 / k ** 0.9723;
}

const MIN_CAPACITY = 8;

export class KllSketch {
  /** Values added (NaNs are the caller's business: never add them). */
  n = 0;
  private levels: Float64Array[] = [];
  private sizes: number[] = [];
  private state = 0x9e3779b9; // xorshift32; fixed seed: runs repeat exactly

  constructor(readonly k: number) {
    this.levels.push(new Float64Array(2 * k + 2));
    this.sizes.push(0);
  }

  /** Adds every value of `data` that is not NaN, in order; returns how many were NaN. */
  addAll(data: ArrayLike<number>): number {
    let nan = 0;
    let level0 = this.levels[0];
    let size0 = this.sizes[0];
    let cap0 = this.capacity(0);
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      if (x !== x) {
        nan++;
        continue;
      }
      level0[size0++] = x;
      if (size0 >= cap0) {
        this.sizes[0] = size0;
        this.compress();
        level0 = this.levels[0];
        size0 = this.sizes[0];
        cap0 = this.capacity(0); // a new top level shrinks the lower capacities
      }
    }
    this.sizes[0] = size0;
    this.n += data.length - nan;
    return nan;
  }

  /** Folds `other` in (associative up to the randomness of compaction; the bound holds). */
  merge(other: KllSketch): void {
    for (let h = 0; h < other.levels.length; h++) {
      if (h >= this.levels.length) {
        this.levels.push(new Float64Array(2 * this.k + 2));
        this.sizes.push(0);
      }
      const need = this.sizes[h] + other.sizes[h];
      if (need > this.levels[h].length) {
        const grown = new Float64Array(need + this.k);
        grown.set(this.levels[h].subarray(0, this.sizes[h]));
        this.levels[h] = grown;
      }
      this.levels[h].set(other.levels[h].subarray(0, other.sizes[h]), this.sizes[h]);
      this.sizes[h] = need;
    }
    this.n += other.n;
    this.compress();
  }

  /** Sorted items and their cumulative weights, for queries. */
  view(): SketchView {
    let count = 0;
    for (const s of this.sizes) count += s;
    const values = new Float64Array(count);
    const weights = new Float64Array(count);
    let at = 0;
    this.levels.forEach((level, h) => {
      values.set(level.subarray(0, this.sizes[h]), at);
      weights.fill(2 ** h, at, at + this.sizes[h]);
      at += this.sizes[h];
    });
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => values[a] - values[b]);
    const sorted = new Float64Array(count);
    const cumulative = new Float64Array(count);
    let total = 0;
    order.forEach((i, j) => {
      sorted[j] = values[i];
      total += weights[i];
      cumulative[j] = total;
    });
    return new SketchView(sorted, cumulative, this.n);
  }

  private capacity(h: number): number {
    const depth = this.levels.length - 1 - h;
    return Math.max(MIN_CAPACITY, Math.floor(this.k * (2 / 3) ** depth));
  }

  /** Compacts, bottom up, every level at or over its capacity, until none is. */
  private compress(): void {
    for (let h = 0; h < this.levels.length; h++) {
      while (this.sizes[h] >= this.capacity(h)) this.compact(h);
    }
  }

  private compact(h: number): void {
    if (h + 1 === this.levels.length) {
      this.levels.push(new Float64Array(2 * this.k + 2));
      this.sizes.push(0);
    }
    const size = this.sizes[h];
    const items = this.levels[h].subarray(0, size).sort();
    const odd = size & 1;
    // An odd item out stays behind (the largest), so the pairs are compacted fairly.
    const pairs = size - odd;
    let target = this.levels[h + 1];
    let at = this.sizes[h + 1];
    if (at + pairs / 2 > target.length) {
      const grown = new Float64Array(at + pairs / 2 + this.k);
      grown.set(target.subarray(0, at));
      this.levels[h + 1] = target = grown;
    }
    for (let i = this.randomBit(); i < pairs; i += 2) target[at++] = items[i];
    this.sizes[h + 1] = at;
    if (odd) items[0] = items[size - 1];
    this.sizes[h] = odd;
  }

  private randomBit(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return (this.state >>> 16) & 1;
  }
}

/** A sketch's items sorted by value with cumulative weights: rank queries. */
export class SketchView {
  constructor(
    readonly values: Float64Array,
    readonly cumulative: Float64Array,
    readonly n: number,
  ) {}

  /** The estimated value of 0-based rank r (the smallest item whose cumulative weight exceeds r). */
  valueAtRank(r: number): number {
    const { cumulative } = this;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo];
  }
}
