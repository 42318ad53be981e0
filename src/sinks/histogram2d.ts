import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { newRowsOf } from '../core/batch.ts';
import type { DType } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import type { Accumulator } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import { formatNpyHeader } from '../formats/npy/header.ts';
import { createAccumulatorSink, formatJson } from '../adapters/accumulator-sink.ts';
import type { ResultTable } from '../adapters/result-file.ts';
import { TABLE_EXTENSIONS } from '../adapters/result-file.ts';
import type { BinPlan } from '../stats/bin-edges.ts';
import { binIndex, hasUsableEdges, planBins } from '../stats/bin-edges.ts';
import { toDoubles } from '../stats/numeric.ts';
import type { ValueRange } from '../stats/range.ts';
import { isValueRange, RangeAccumulator } from '../stats/range.ts';

/** Counts are nx × ny doubles held at once. */
const MAX_CELLS = 2 ** 26;

const rangeTuple = z
  .tuple([z.number(), z.number()])
  .refine(
    ([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi) && lo < hi,
    'each range must be [lo, hi], lo < hi',
  );

const params = z
  .object({
    x: z.string().min(1).describe('Column of the first coordinate (the rows of `counts`).'),
    y: z.string().min(1).describe('Column of the second coordinate (the columns of `counts`).'),
    bins: z
      .union([z.number().int().min(1), z.tuple([z.number().int().min(1), z.number().int().min(1)])])
      .default(10)
      .describe('Equal-width bins per axis, as numpy: one number for both, or [nx, ny].'),
    range: z
      .tuple([rangeTuple, rangeTuple])
      .optional()
      .describe(
        '[[xlo, xhi], [ylo, yhi]]; pairs with a value outside are not counted. When absent, each ' +
          "column's finite min and max (a pass over the input before the main one).",
      ),
    out: z
      .string()
      .min(1)
      .refine(
        (p) => ['.json', ...TABLE_EXTENSIONS].some((ext) => p.toLowerCase().endsWith(ext)),
        `out must end in .json, ${TABLE_EXTENSIONS.join(', ')}`,
      )
      .optional()
      .describe(
        '.json: { x, y, xedges, yedges, counts } with counts nx × ny nested; .npy: the counts as a float64 ' +
          'nx × ny array; .parquet, .arrow/.feather/.arrows, .h5/.hdf5, .csv: a table of one row per bin ' +
          '(x_left, x_right, y_left, y_right, count; x-major, as the counts). When absent the result is only returned.',
      ),
  })
  .strict()
  .refine((p) => binCounts(p.bins)[0] * binCounts(p.bins)[1] <= MAX_CELLS, {
    message: `at most ${MAX_CELLS} bins in all`,
    path: ['bins'],
  })
  .describe(
    'Counts (x, y) pairs into equal-width bins exactly as numpy.histogram2d(x, y, bins, range): the same ' +
      'edges (linspace in the dtype numpy uses) and the same bin for every pair (a pair on the last edge ' +
      'counts in the last bin). Pairs with NaN or outside the range are not counted, as numpy; without ' +
      '`range`, ±inf values are left out of the min/max where numpy would raise.',
  );

export type Histogram2dParams = z.output<typeof params>;

export interface Histogram2dResult {
  readonly x: string;
  readonly y: string;
  readonly xedges: number[];
  readonly yedges: number[];
  /** nx rows of ny counts. */
  readonly counts: number[][];
}

export default defineStage({
  name: 'histogram2d',
  kind: 'sink',
  params,
  outputs: (p) => (p.out ? [p.out] : []),
  check: (p, schema) => {
    columnPair(p, schema);
    if (p.range) plansFor(p, schema, undefined, 'PARAMS_INVALID');
  },
  prepare: (p) => (p.range ? undefined : new PairRangeAccumulator(p.x, p.y)),
  create: (p, ctx) => {
    const [xPlan, yPlan] = plansFor(
      p,
      ctx.schema,
      p.range ? undefined : preparedRanges(ctx.prepared),
      'RANGE_INVALID',
    );
    const accumulator = new Histogram2dAccumulator(p.x, p.y, xPlan, yPlan);
    const npy = p.out !== undefined && /\.npy$/i.test(p.out);
    const unit = (name: string) => ctx.schema.columns.find((c) => c.name === name)?.unit;
    return createAccumulatorSink(accumulator, {
      out: p.out,
      overwrite: ctx.overwrite,
      source: ctx.schema.source,
      encode: npy ? () => encodeCountsNpy(accumulator) : formatJson,
      encoded: ['.npy'],
      table: (result) => histogram2dTable(result, unit(p.x), unit(p.y)),
    });
  },
});

export function binCounts(bins: number | readonly [number, number]): [number, number] {
  return typeof bins === 'number' ? [bins, bins] : [bins[0], bins[1]];
}

/** The two columns, checked: scalar or of equal width (values pair up element by element). */
function columnPair(p: Histogram2dParams, schema: Schema): [DType, DType] {
  const x = requireColumn(schema, p.x, 'histogram2d');
  const y = requireColumn(schema, p.y, 'histogram2d');
  if (x.width !== y.width) {
    throw new SluiceError('PARAMS_INVALID', `histogram2d: columns '${p.x}' and '${p.y}' differ in width`, {
      hint: `widths ${x.width} and ${y.width}; x and y pair up value by value`,
    });
  }
  return [x.dtype, y.dtype];
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

/** The bins of each axis; `code` when they cannot be made. */
export function plansFor(
  p: Histogram2dParams,
  schema: Schema,
  data: readonly [ValueRange, ValueRange] | undefined,
  code: 'PARAMS_INVALID' | 'RANGE_INVALID',
): [BinPlan, BinPlan] {
  const dtype = sampleDtype(...columnPair(p, schema));
  const bins = binCounts(p.bins);
  return ([0, 1] as const).map((axis) => {
    // With a range numpy's linspace runs on Python floats: float64 edges whatever the data.
    const plan = p.range
      ? planBins('float64', bins[axis], p.range[axis])
      : planBins(dtype, bins[axis], undefined, toDtypeRange(data?.[axis], dtype));
    if (!hasUsableEdges(plan.edges)) {
      throw new SluiceError(code, `histogram2d: too many bins for the ${axis ? 'y' : 'x'} range`, {
        hint: 'use fewer bins or a wider range',
      });
    }
    return plan;
  }) as [BinPlan, BinPlan];
}

/** A column's range in the sample dtype: bigints for 64-bit integers, numbers otherwise. */
function toDtypeRange(range: ValueRange | undefined, dtype: DType): ValueRange | undefined {
  if (!range || range.min === null || range.max === null) return range;
  const big = dtype === 'int64' || dtype === 'uint64';
  const convert = (v: number | bigint) => (big ? BigInt(v) : Number(v));
  return { count: range.count, min: convert(range.min), max: convert(range.max) };
}

function preparedRanges(prepared: unknown): [ValueRange, ValueRange] {
  if (Array.isArray(prepared) && prepared.length === 2 && prepared.every(isValueRange)) {
    return [prepared[0] as ValueRange, prepared[1] as ValueRange];
  }
  throw new SluiceError('STAGE_FAILED', 'histogram2d: the min/max pass over the input did not run', {
    hint: 'give `range`, or run the sink through the pipeline runner, which runs `prepare` first',
  });
}

/** The min/max pre-pass of both columns. */
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

  merge(other: PairRangeAccumulator): void {
    this.x.merge(other.x);
    this.y.merge(other.y);
  }

  result(): [ValueRange, ValueRange] {
    return [this.x.result(), this.y.result()];
  }
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

  merge(other: Histogram2dAccumulator): void {
    const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => v === b[i]);
    if (!same(this.xPlan.edges, other.xPlan.edges) || !same(this.yPlan.edges, other.yPlan.edges)) {
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

/** A 2-D histogram as a table: one row per bin, x-major (the order of numpy's H.ravel()). */
export function histogram2dTable(result: Histogram2dResult, xUnit?: string, yUnit?: string): ResultTable {
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
  // count is float64 as numpy.histogram2d's H is.
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
