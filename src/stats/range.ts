/**
 * The min/max pre-pass: numpy.histogram without `range` bins between the data's min and max,
 * a fact of the whole input that must be known before the first value is binned. Not a
 * registered stage: the histogram sinks' `prepare` returns these accumulators and the runner
 * runs them in a pass before the main one.
 *
 * Only finite values count (NaN and ±inf are skipped); numpy would refuse such data instead.
 */
import type { Batch } from '../core/batch.ts';
import { newRowsOf } from '../core/batch.ts';
import type { TypedArray } from '../core/dtype.ts';
import type { Accumulator } from '../core/stage.ts';
import type { BigIntArray, FloatArray, IntArray } from './numeric.ts';
import { isBigIntArray, isFloatArray } from './numeric.ts';
import { ExactMoments } from './exact-moments.ts';

/** The finite values' extent: min/max are bigints for int64/uint64 columns, null when count is 0. */
export interface ValueRange {
  readonly count: number;
  readonly min: number | bigint | null;
  readonly max: number | bigint | null;
}

export const EMPTY_RANGE: ValueRange = { count: 0, min: null, max: null };

export class RangeAccumulator implements Accumulator<ValueRange> {
  private range: ValueRange = EMPTY_RANGE;

  constructor(readonly column: string) {}

  add(batch: Batch): void {
    this.range = combineRanges(this.range, rangeOf(newRowsOf(batch, this.column)));
  }

  /** What `merge` reads (in place of an instance), for a worker thread to send back. */
  toState(): { column: string; range: ValueRange } {
    return { column: this.column, range: this.range };
  }

  merge(other: RangeAccumulator): void {
    this.range = combineRanges(this.range, other.range);
  }

  result(): ValueRange {
    return this.range;
  }
}

/** The min/max pre-pass of two columns (histogram2d's x and y). */
export class PairRangeAccumulator implements Accumulator<[ValueRange, ValueRange]> {
  private readonly x: RangeAccumulator;
  private readonly y: RangeAccumulator;

  constructor(x: string, y: string) {
    this.x = new RangeAccumulator(x);
    this.y = new RangeAccumulator(y);
  }

  add(batch: Batch): void {
    this.x.add(batch);
    this.y.add(batch);
  }

  /** What `merge` reads, for a worker thread to send back. */
  toState(): { x: ReturnType<RangeAccumulator['toState']>; y: ReturnType<RangeAccumulator['toState']> } {
    return { x: this.x.toState(), y: this.y.toState() };
  }

  merge(other: PairRangeAccumulator): void {
    this.x.merge(other.x);
    this.y.merge(other.y);
  }

  result(): [ValueRange, ValueRange] {
    return [this.x.result(), this.y.result()];
  }
}

/** What `ctx.prepared` must be for a histogram without `range`. */
export function isValueRange(value: unknown): value is ValueRange {
  if (typeof value !== 'object' || value === null) return false;
  const { count, min, max } = value as Record<string, unknown>;
  const isBound = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';
  return (
    typeof count === 'number' && (count === 0 ? min === null && max === null : isBound(min) && isBound(max))
  );
}

export function combineRanges(a: ValueRange, b: ValueRange): ValueRange {
  if (b.min === null || b.max === null) return a;
  if (a.min === null || a.max === null) return b;
  return { count: a.count + b.count, min: b.min < a.min ? b.min : a.min, max: b.max > a.max ? b.max : a.max };
}

/** The extent of the finite values of `data`. */
export function rangeOf(data: TypedArray): ValueRange {
  if (isFloatArray(data)) return floatRange(data);
  if (isBigIntArray(data)) return int64Range(data);
  return intRange(data);
}

// --- kernels ---------------------------------------------------------------------------------

export function floatRange(data: FloatArray): ValueRange {
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!(x > -Infinity && x < Infinity)) continue; // NaN and ±inf fail both comparisons' pair
    count++;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return count === 0 ? EMPTY_RANGE : { count, min, max };
}

export function intRange(data: IntArray): ValueRange {
  if (data.length === 0) return EMPTY_RANGE;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { count: data.length, min, max };
}

/** Exact extent of int64/uint64 values: the moments kernel's exact min/max (its sums are cheap). */
export function int64Range(data: BigIntArray): ValueRange {
  if (data.length === 0) return EMPTY_RANGE;
  const moments = new ExactMoments();
  moments.add(data);
  return { count: data.length, min: moments.min, max: moments.max };
}
