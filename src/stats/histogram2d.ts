/**
 * numpy.histogram2d(x, y, bins, range): each axis binned as numpy.histogram bins
 * (bin-edges.ts) in the dtype numpy stacks x and y into, pairs counted in an nx × ny grid, and
 * that grid as a table or a float64 .npy array.
 */
import type { Batch } from '../core/batch.ts';
import { newRowsOf } from '../core/batch.ts';
import type { DType } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { Accumulator } from '../core/stage.ts';
import { formatNpyHeader } from '../formats/npy/header.ts';
import type { BinPlan, BinRange } from './bin-edges.ts';
import { binIndex, planBins, sameEdges } from './bin-edges.ts';
import { toDoubles } from './numeric.ts';
import type { ValueRange } from './range.ts';

/** The result of the histogram2d sink, and the JSON it writes. */
export interface Histogram2dResult {
  readonly x: string;
  readonly y: string;
  readonly xedges: number[];
  readonly yedges: number[];
  /** nx rows of ny counts. */
  readonly counts: number[][];
}

/** numpy's `bins`: one count for both axes, or [nx, ny]. */
export function binCounts(bins: number | readonly [number, number]): [number, number] {
  return typeof bins === 'number' ? [bins, bins] : [bins[0], bins[1]];
}

/**
 * numpy.histogram2d stacks x and y into one array (np.atleast_2d([x, y])), so both are binned
 * in their common dtype: it decides the edges' precision when the range comes from the data.
 */
export function sampleDtype(a: DType, b: DType): DType {
  if (a === b) return a;
  const small = ['int8', 'uint8', 'int16', 'uint16'];
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32')
    return small.includes(a === 'float32' ? b : a) ? 'float32' : 'float64';
  if (a === 'uint64' || b === 'uint64')
    return (a === 'uint64' ? b : a).startsWith('uint') ? 'uint64' : 'float64';
  if (a === 'int64' || b === 'int64') return 'int64';
  // Integers up to 32 bits: every value and span is exact in float64, any such dtype bins alike.
  return 'int32';
}

/** The bins of one axis: from `range`, or from the column's extent `data` in the sample dtype. */
export function planAxisBins(
  dtype: DType,
  bins: number,
  range: BinRange | undefined,
  data: ValueRange | undefined,
): BinPlan {
  // With a range numpy's linspace runs on Python floats: float64 edges whatever the data.
  return range
    ? planBins('float64', bins, range)
    : planBins(dtype, bins, undefined, toDtypeRange(data, dtype));
}

/** A column's range in the sample dtype: bigints for 64-bit integers, numbers otherwise. */
function toDtypeRange(range: ValueRange | undefined, dtype: DType): ValueRange | undefined {
  if (!range || range.min === null || range.max === null) return range;
  const big = dtype === 'int64' || dtype === 'uint64';
  const convert = (v: number | bigint) => (big ? BigInt(v) : Number(v));
  return { count: range.count, min: convert(range.min), max: convert(range.max) };
}

/** Fixed-edge 2-D counts; add() counts only the new rows of a batch. */
export class Histogram2dAccumulator implements Accumulator<Histogram2dResult> {
  /** nx × ny, row-major: counts[ix * ny + iy]. */
  readonly counts: Float64Array;

  constructor(
    readonly x: string,
    readonly y: string,
    readonly xPlan: BinPlan,
    readonly yPlan: BinPlan,
  ) {
    this.counts = new Float64Array(xPlan.bins * yPlan.bins);
  }

  add(batch: Batch): void {
    binPairs(
      toDoubles(newRowsOf(batch, this.x)),
      toDoubles(newRowsOf(batch, this.y)),
      this.xPlan,
      this.yPlan,
      this.counts,
    );
  }

  /** What `merge` reads, for a worker thread to send back. */
  toState(): Pick<Histogram2dAccumulator, 'x' | 'y' | 'xPlan' | 'yPlan' | 'counts'> {
    const { x, y, xPlan, yPlan, counts } = this;
    return { x, y, xPlan, yPlan, counts };
  }

  merge(other: Histogram2dAccumulator): void {
    if (!sameEdges(this.xPlan.edges, other.xPlan.edges) || !sameEdges(this.yPlan.edges, other.yPlan.edges)) {
      throw new SluiceError('RANGE_INVALID', 'histogram2d: cannot merge histograms with different edges', {
        hint: "merge the shards' min/max pre-passes first, or give `range`",
      });
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
  }

  result(): Histogram2dResult {
    const ny = this.yPlan.bins;
    const counts: number[][] = [];
    for (let i = 0; i < this.xPlan.bins; i++)
      counts.push(Array.from(this.counts.subarray(i * ny, (i + 1) * ny)));
    return {
      x: this.x,
      y: this.y,
      xedges: Array.from(this.xPlan.edges),
      yedges: Array.from(this.yPlan.edges),
      counts,
    };
  }
}

/**
 * A 2-D histogram as a table: one row per bin, x-major (the order of numpy's H.ravel()), the
 * edges in the units of their columns; count is float64 as numpy.histogram2d's H is.
 */
export function histogram2dTable(result: Histogram2dResult, xUnit?: string, yUnit?: string) {
  const nx = result.xedges.length - 1;
  const ny = result.yedges.length - 1;
  const xl = new Float64Array(nx * ny);
  const xr = new Float64Array(nx * ny);
  const yl = new Float64Array(nx * ny);
  const yr = new Float64Array(nx * ny);
  const count = new Float64Array(nx * ny);
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      const k = i * ny + j;
      xl[k] = result.xedges[i];
      xr[k] = result.xedges[i + 1];
      yl[k] = result.yedges[j];
      yr[k] = result.yedges[j + 1];
      count[k] = result.counts[i][j];
    }
  }
  const units: Record<string, string> = {};
  if (xUnit) Object.assign(units, { x_left: xUnit, x_right: xUnit });
  if (yUnit) Object.assign(units, { y_left: yUnit, y_right: yUnit });
  return { columns: { x_left: xl, x_right: xr, y_left: yl, y_right: yr, count }, units };
}

/** The counts as a float64 nx × ny .npy file (numpy.histogram2d's H). */
export function encodeCountsNpy(acc: Histogram2dAccumulator): Uint8Array {
  const header = formatNpyHeader({
    descr: '<f8',
    fortranOrder: false,
    shape: [acc.xPlan.bins, acc.yPlan.bins],
  });
  const body = new Uint8Array(acc.counts.buffer, acc.counts.byteOffset, acc.counts.byteLength);
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length); // little-endian hosts only, as every writer of sluice
  return out;
}

/**
 * numpy.histogramdd's rule: searchsorted(edges, v, 'right') − 1, a value on the last edge in the
 * last bin, anything else outside the edges (NaN included) dropped. binIndex finds that bin.
 */
export function binPairs(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  xPlan: BinPlan,
  yPlan: BinPlan,
  counts: Float64Array,
): void {
  const xe = xPlan.edges;
  const ye = yPlan.edges;
  const nx = xPlan.bins;
  const ny = yPlan.bins;
  const [x0, x1, y0, y1] = [xe[0], xe[nx], ye[0], ye[ny]];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!(x >= x0 && x <= x1 && y >= y0 && y <= y1)) continue;
    counts[binIndex(x, xPlan, xe, nx) * ny + binIndex(y, yPlan, ye, ny)]++;
  }
}
