/**
 * Count, mean, standard deviation, min and max whose every bit depends on the values alone: not
 * on how they were cut into chunks, nor on the order or grouping in which partial results were
 * merged (docs/design.md §7). Σx and Σx² are kept EXACTLY (per-dtype kernels gather them in float64
 * bins that cannot round, then flush them into BigInt sums), so merging is plain exact addition,
 * and the results are rounded once at the end:
 * - mean = Σx / n, correctly rounded (ties to even);
 * - variance = (n·Σx² − (Σx)²) / n² (population, ddof 0), correctly rounded;
 * - std = √(n·Σx² − (Σx)²) / n, correctly rounded (not √ of the rounded variance).
 * int64/uint64 values enter exactly (not as their nearest doubles). NaNs are counted apart and
 * excluded. Infinities are counted (they are in `count`, min and max) and kept out of the sums:
 * the mean is +∞ or −∞ when only one sign occurs, NaN when both do; the std is then NaN, as in
 * numpy. A constant column has std exactly 0. With no values, mean and std are NaN.
 */
import type { TypedArray } from '../core/dtype.ts';
import type { ExactSumState } from './exact-sum.ts';
import { ExactSum } from './exact-sum.ts';
import { alignScaled, roundedQuotient, roundedSqrtQuotient } from './exact-rounding.ts';
import {
  Float32Tally,
  FLOAT32_FLUSH_EVERY,
  floatOfKey,
  flushFloat32,
  foldFloat32,
} from './exact-moments-float32.ts';
import {
  Float64Tally,
  FLOAT64_FLUSH_EVERY,
  flushFloat64,
  foldFloat64,
  higherOf,
  lowerOf,
} from './exact-moments-float64.ts';
import type { IntegerArray } from './exact-moments-int.ts';
import {
  flushInt32,
  flushInt64,
  flushSmallInts,
  foldIntegers,
  INT_FLUSH_EVERY,
  IntTally,
  wordsToBigInt,
} from './exact-moments-int.ts';

/** A plain, structured-clone friendly copy of ExactMoments (bigint extremes for 64-bit integers). */
export interface ExactMomentsState {
  /** Values that are not NaN (infinities included). */
  readonly count: number;
  readonly nanCount: number;
  readonly posInfCount: number;
  readonly negInfCount: number;
  /** +Infinity / -Infinity while count is 0. */
  readonly min: number | bigint;
  readonly max: number | bigint;
  /** Σ of the finite values and Σ of their squares, exactly. */
  readonly sum: ExactSumState;
  readonly sumOfSquares: ExactSumState;
}

/** The results, each rounded once. */
export interface ExactMomentsResult {
  readonly count: number;
  readonly nanCount: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number | bigint;
  readonly max: number | bigint;
}

export class ExactMoments {
  count = 0;
  nanCount = 0;
  posInfCount = 0;
  negInfCount = 0;
  min: number | bigint = Infinity;
  max: number | bigint = -Infinity;
  private readonly sum = new ExactSum();
  private readonly squares = new ExactSum();
  /** Per-kind bins and extremes, allocated on first use; flush() empties them into the sums. */
  private float32?: Float32Tally;
  private float64?: Float64Tally;
  private smallInts?: IntTally;
  private int32?: IntTally;
  private int64?: IntTally;

  /** Folds every value of `data` (a view: it is read in place, never copied). */
  add(data: TypedArray): void {
    if (data instanceof Float32Array) this.addFloat32(data);
    else if (data instanceof Float64Array) this.addFloat64(data);
    else this.addIntegers(data);
  }

  /** Adds everything `other` holds; `other` keeps its value (its scratch is emptied). */
  merge(other: ExactMoments): void {
    this.flush();
    other.flush();
    this.count += other.count;
    this.nanCount += other.nanCount;
    this.posInfCount += other.posInfCount;
    this.negInfCount += other.negInfCount;
    this.includeExtremes(other.min, other.max);
    this.sum.merge(other.sum);
    this.squares.merge(other.squares);
  }

  toState(): ExactMomentsState {
    this.flush();
    const { count, nanCount, posInfCount, negInfCount, min, max } = this;
    return {
      count,
      nanCount,
      posInfCount,
      negInfCount,
      min,
      max,
      sum: this.sum.toState(),
      sumOfSquares: this.squares.toState(),
    };
  }

  static fromState(state: ExactMomentsState): ExactMoments {
    const moments = new ExactMoments();
    moments.count = state.count;
    moments.nanCount = state.nanCount;
    moments.posInfCount = state.posInfCount;
    moments.negInfCount = state.negInfCount;
    moments.min = state.min;
    moments.max = state.max;
    moments.sum.merge(ExactSum.fromState(state.sum));
    moments.squares.merge(ExactSum.fromState(state.sumOfSquares));
    return moments;
  }

  /** Σx/n correctly rounded; ±Infinity or NaN with infinities (see the file comment). */
  mean(): number {
    const special = this.nonFiniteMean();
    if (special !== undefined) return special;
    this.flush();
    return this.sum.roundedDivide(this.count);
  }

  /** The population variance correctly rounded (NaN with no values or any infinity). */
  variance(): number {
    const spread = this.spread();
    return spread ? roundedQuotient(spread.mantissa, spread.exponent, BigInt(this.count) ** 2n) : NaN;
  }

  /** The population standard deviation (ddof 0) correctly rounded. */
  std(): number {
    const spread = this.spread();
    return spread ? roundedSqrtQuotient(spread.mantissa, spread.exponent, BigInt(this.count)) : NaN;
  }

  result(): ExactMomentsResult {
    const { count, nanCount, min, max } = this;
    return { count, nanCount, mean: this.mean(), std: this.std(), min, max };
  }

  /** Exact Σx and Σx² of the finite values (copies). */
  exactSums(): { sum: ExactSum; sumOfSquares: ExactSum } {
    this.flush();
    return {
      sum: ExactSum.fromState(this.sum.toState()),
      sumOfSquares: ExactSum.fromState(this.squares.toState()),
    };
  }

  // --- folding ------------------------------------------------------------------------------

  private addFloat32(data: Float32Array): void {
    const tally = (this.float32 ??= new Float32Tally(this.sum, this.squares));
    const bits = new Int32Array(data.buffer, data.byteOffset, data.length);
    this.inPieces(data.length, tally, FLOAT32_FLUSH_EVERY, (start, end) =>
      foldFloat32(data, bits, start, end, tally),
    );
    this.takeNonFinite(tally, data.length);
    if (tally.minKey <= tally.maxKey)
      this.includeExtremes(floatOfKey(tally.minKey), floatOfKey(tally.maxKey));
  }

  private addFloat64(data: Float64Array): void {
    const tally = (this.float64 ??= new Float64Tally());
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
    this.inPieces(data.length, tally, FLOAT64_FLUSH_EVERY, (start, end) =>
      foldFloat64(data, words, start, end, tally),
    );
    this.takeNonFinite(tally, data.length);
    this.includeExtremes(tally.min, tally.max);
  }

  private addIntegers(data: IntegerArray): void {
    const tally = this.integerTally(data);
    this.inPieces(data.length, tally, INT_FLUSH_EVERY, (start, end) => foldIntegers(data, start, end, tally));
    this.count += data.length;
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      if (tally.minHigh > tally.maxHigh) return; // nothing seen yet
      this.includeExtremes(
        wordsToBigInt(tally.minHigh, tally.minLow),
        wordsToBigInt(tally.maxHigh, tally.maxLow),
      );
    } else if (tally.min <= tally.max) this.includeExtremes(tally.min, tally.max);
  }

  /** The tally for integers of this width (their square sums are split differently). */
  private integerTally(data: IntegerArray): IntTally {
    if (data instanceof BigInt64Array || data instanceof BigUint64Array)
      return (this.int64 ??= new IntTally());
    if (data instanceof Int32Array || data instanceof Uint32Array) return (this.int32 ??= new IntTally());
    return (this.smallInts ??= new IntTally());
  }

  /** Runs `fold` over [0, length) in pieces that never take the scratch past `limit` values. */
  private inPieces(
    length: number,
    tally: { pending: number },
    limit: number,
    fold: (start: number, end: number) => void,
  ): void {
    for (let start = 0; start < length;) {
      const end = Math.min(length, start + limit - tally.pending);
      fold(start, end);
      tally.pending += end - start;
      start = end;
      if (tally.pending >= limit) this.flush();
    }
  }

  /** Moves the counts of NaN and infinities the kernel saw into this, and counts the rest. */
  private takeNonFinite(
    tally: { nanCount: number; posInfCount: number; negInfCount: number },
    length: number,
  ): void {
    const nan = tally.nanCount;
    this.nanCount += nan;
    this.posInfCount += tally.posInfCount;
    this.negInfCount += tally.negInfCount;
    this.count += length - nan;
    tally.nanCount = tally.posInfCount = tally.negInfCount = 0;
  }

  private includeExtremes(min: number | bigint, max: number | bigint): void {
    if (typeof min === 'number' && typeof this.min === 'number') this.min = lowerOf(min, this.min);
    else if (min < this.min) this.min = min;
    if (typeof max === 'number' && typeof this.max === 'number') this.max = higherOf(max, this.max);
    else if (max > this.max) this.max = max;
  }

  /** Empties every kernel's scratch into the exact sums (the value does not change). */
  private flush(): void {
    const { sum, squares } = this;
    if (this.float32?.pending) flushFloat32(this.float32, sum, squares);
    if (this.float64?.pending) flushFloat64(this.float64, sum, squares);
    if (this.smallInts?.pending) flushSmallInts(this.smallInts, sum, squares);
    if (this.int32?.pending) flushInt32(this.int32, sum, squares);
    if (this.int64?.pending) flushInt64(this.int64, sum, squares);
  }

  private nonFiniteMean(): number | undefined {
    if (this.count === 0) return NaN;
    if (this.posInfCount > 0 && this.negInfCount > 0) return NaN;
    if (this.posInfCount > 0) return Infinity;
    if (this.negInfCount > 0) return -Infinity;
    return undefined;
  }

  /** n·Σx² − (Σx)² exactly, or undefined when the std is NaN (no values, or an infinity). */
  private spread(): { mantissa: bigint; exponent: number } | undefined {
    if (this.count === 0 || this.posInfCount + this.negInfCount > 0) return undefined;
    this.flush();
    const s = this.sum.finite();
    const q = this.squares.finite();
    const squareOfSum = { mantissa: s.mantissa * s.mantissa, exponent: 2 * s.exponent };
    const scaledSquares = { mantissa: BigInt(this.count) * q.mantissa, exponent: q.exponent };
    const [a, b, exponent] = alignScaled(scaledSquares, squareOfSum);
    return { mantissa: a - b, exponent };
  }
}
