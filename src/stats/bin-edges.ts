/**
 * numpy.histogram's equal-width bins, reproduced bit for bit (numpy 2.x,
 * `numpy/lib/_histograms_impl.py`: `_get_outer_edges`, `_get_bin_edges`, `histogram`;
 * `numpy/_core/function_base.py`: `linspace`). What matters, case by case:
 *
 * - The edges are `linspace(first, last, bins + 1)` cast to the *bin dtype*: float32 for a
 *   float32 column, float64 otherwise. linspace computes in the dtype of its start/stop, not
 *   of the result: with a `range` (Python floats) it computes in float64 and casts; with the
 *   data's own min/max (numpy float32 scalars) it computes in float32 throughout.
 * - A value counts when first <= x <= last, compared in the column's precision (a float32
 *   column compares with the bounds rounded to float32): these are the first and last edges.
 * - Its bin starts as trunc((x - first) / (last - first) * bins) with numpy's own promotions:
 *   for float32 columns the subtraction is float32; the division and product are float32 when
 *   the range came from the data, float64 when it came from `range`. Then x == last goes to the
 *   last bin and the guess moves by one against the edges (numpy's ~1 ULP corrections), so
 *   an edge value always lands in the bin the edges say, and the result equals numpy's.
 */
import type { DType } from '../core/dtype.ts';
import type { ValueRange } from './range.ts';

/** Everything the binning kernel needs; built once per histogram. */
export interface BinPlan {
  readonly bins: number;
  /** bins + 1 edges: the bin dtype's values (float32 for a float32 column), as doubles. */
  readonly edges: Float64Array;
  /** first_edge as numpy subtracts it from a value. */
  readonly offset: number;
  /** last_edge - first_edge as numpy divides by it. */
  readonly span: number;
  /** Round `x - offset` to float32. */
  readonly float32Subtract: boolean;
  /** Round the division by span and the product by bins to float32. */
  readonly float32Scale: boolean;
}

export type BinRange = readonly [number, number];

/**
 * The bins numpy.histogram(x, bins, range) uses for a column of `dtype`. Without `range`,
 * `data` is the extent of the column's finite values (the pre-pass); without finite values
 * numpy's empty-array range (0, 1) applies.
 */
export function planBins(
  dtype: DType,
  bins: number,
  range: BinRange | undefined,
  data?: ValueRange,
): BinPlan {
  if (range) return planFromBounds(dtype, bins, range[0], range[1]);
  const min = data?.min ?? null;
  const max = data?.max ?? null;
  if (min === null || max === null) return planFromBounds(dtype, bins, 0, 1);
  if (typeof min === 'bigint' && typeof max === 'bigint') return planFromInt64Data(bins, min, max);
  if (typeof min === 'number' && typeof max === 'number') {
    return dtype === 'float32' ? planFromFloat32Data(bins, min, max) : planFromNumberData(bins, min, max);
  }
  throw new TypeError('min and max of a range must be of one kind');
}

/**
 * False when two edges are equal or an edge is not finite: numpy's "Too many bins for data
 * range" (it lets a NaN or infinite edge through in corner cases; sluice refuses those too).
 */
export function hasUsableEdges(edges: Float64Array): boolean {
  for (let i = 0; i < edges.length; i++) {
    if (!Number.isFinite(edges[i])) return false;
    if (i > 0 && !(edges[i - 1] < edges[i])) return false;
  }
  return true;
}

/** Equal edges, value for value: histograms binned with them can be merged. */
export function sameEdges(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((edge, i) => edge === b[i]);
}

/** Bounds given as numbers (Python floats): linspace in float64, cast to the bin dtype. */
function planFromBounds(dtype: DType, bins: number, first: number, last: number): BinPlan {
  const float32 = dtype === 'float32';
  const edges = linspace64(first, last, bins + 1);
  if (float32) for (let i = 0; i < edges.length; i++) edges[i] = Math.fround(edges[i]);
  return {
    bins,
    edges,
    offset: float32 ? Math.fround(first) : first,
    // numpy subtracts the Python floats in float64, whatever the column.
    span: last - first,
    float32Subtract: float32,
    float32Scale: false,
  };
}

/** The min/max of a float32 column are numpy float32 scalars: every step is float32. */
function planFromFloat32Data(bins: number, min: number, max: number): BinPlan {
  // numpy's expansion of an empty range; float32 scalar minus a Python float stays float32.
  const first = min === max ? Math.fround(min - 0.5) : min;
  const last = min === max ? Math.fround(max + 0.5) : max;
  return {
    bins,
    edges: linspace32(first, last, bins + 1),
    offset: first,
    span: Math.fround(last - first),
    float32Subtract: true,
    float32Scale: true,
  };
}

/** float64 and up-to-32-bit integer columns: everything float64 (integer spans are exact). */
function planFromNumberData(bins: number, min: number, max: number): BinPlan {
  const first = min === max ? min - 0.5 : min;
  const last = min === max ? max + 0.5 : max;
  return float64Plan(bins, first, last, last - first);
}

/**
 * int64/uint64: the edges come from the nearest doubles of min and max, but numpy divides by
 * the exact integer span (an unsigned subtraction) rounded once to a double.
 */
function planFromInt64Data(bins: number, min: bigint, max: bigint): BinPlan {
  if (min === max) return planFromNumberData(bins, Number(min), Number(max));
  return float64Plan(bins, Number(min), Number(max), Number(max - min));
}

function float64Plan(bins: number, first: number, last: number, span: number): BinPlan {
  return {
    bins,
    edges: linspace64(first, last, bins + 1),
    offset: first,
    span,
    float32Subtract: false,
    float32Scale: false,
  };
}

/** numpy.linspace(start, stop, num) computed in float64 (num >= 2). */
export function linspace64(start: number, stop: number, num: number): Float64Array {
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  const y = new Float64Array(num);
  // numpy: y = arange(num) * step (or / div * delta when step underflows to 0), then + start.
  if (step === 0) for (let i = 0; i < num; i++) y[i] = (i / div) * delta + start;
  else for (let i = 0; i < num; i++) y[i] = i * step + start;
  y[div] = stop;
  return y;
}

/** numpy.linspace(start, stop, num) with float32 start/stop: every operation rounds to float32. */
export function linspace32(start: number, stop: number, num: number): Float64Array {
  const f = Math.fround;
  const div = num - 1;
  const delta = f(stop - start);
  const step = f(delta / div);
  const y = new Float64Array(num);
  // arange(num, dtype=float32) is exact for num <= 2^24, the schema's limit on bins.
  if (step === 0) for (let i = 0; i < num; i++) y[i] = f(f(f(i / div) * delta) + start);
  else for (let i = 0; i < num; i++) y[i] = f(f(i * step) + start);
  y[div] = stop;
  return y;
}

/**
 * The bin of x (first edge <= x <= last edge), computed as numpy.histogram does: the scaled
 * guess with numpy's promotions, then its corrections against the edges.
 */
export function binIndex(x: number, plan: BinPlan, edges: Float64Array, bins: number): number {
  let d = x - plan.offset;
  if (plan.float32Subtract) d = Math.fround(d);
  let f = d / plan.span;
  if (plan.float32Scale) f = Math.fround(f);
  f *= bins;
  if (plan.float32Scale) f = Math.fround(f);
  let i = Math.trunc(f); // numpy: f_indices.astype(np.intp)
  if (i >= bins) i = bins - 1; // x on the last edge belongs to the last bin
  if (x < edges[i]) i--;
  if (i !== bins - 1 && x >= edges[i + 1]) i++;
  return i;
}
