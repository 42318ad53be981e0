import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { newRowsOf } from '../core/batch.ts';
import type { DType, NumberArray, TypedArray } from '../core/dtype.ts';
import type { ErrorCode } from '../core/errors.ts';
import { SluiceError } from '../core/errors.ts';
import type { Accumulator } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import { isValueRange, RangeAccumulator } from '../stats/range.ts';
import type { ValueRange } from '../stats/range.ts';
import { createAccumulatorSink } from '../adapters/accumulator-sink.ts';
import type { ResultTable } from '../adapters/result-file.ts';
import type { BinPlan } from '../stats/bin-edges.ts';
import { binIndex, hasUsableEdges, planBins } from '../stats/bin-edges.ts';
import { requireColumn } from '../core/schema.ts';
import type { BigIntArray } from '../stats/numeric.ts';
import { HI_WORD, isBigIntArray, LO_WORD, toInt64Words, TWO_POW_32 } from '../stats/numeric.ts';

// Moved to the shared bin-edge code (histogram2d bins with it too); re-exported for callers.
export { binIndex } from '../stats/bin-edges.ts';

/** arange(bins + 1, dtype=float32) inside numpy's linspace is exact up to here. */
const MAX_BINS = 2 ** 24;

const params = z
  .object({
    column: z.string().min(1).describe('Column to count; a width-k column contributes all its values.'),
    bins: z.number().int().min(1).max(MAX_BINS).default(10).describe('Number of equal-width bins, as numpy.'),
    range: z
      .tuple([z.number(), z.number()])
      .refine(([lo, hi]) => lo < hi, 'range must be [lo, hi] with lo < hi')
      .optional()
      .describe(
        'Lower and upper edge [lo, hi]; values outside are reported as underflow/overflow. When absent, the ' +
          "data's finite min and max (a pass over the input before the main one).",
      ),
    out: z
      .string()
      .min(1)
      .optional()
      .describe(
        'File to write: .parquet, .arrow/.feather/.arrows, .h5/.hdf5, .npy or .csv get a table of one row per bin ' +
          '(left, right, count); any other name the JSON result { column, edges, counts, underflow, overflow, nan }. ' +
          'When absent the result is only returned to the caller.',
      ),
  })
  .strict()
  .describe(
    'Counts values into equal-width bins exactly as numpy.histogram(x, bins, range) does, bin edges included ' +
      '(float32 edges for a float32 column). NaNs and values outside the edges are counted apart ' +
      '(nan, underflow, overflow). Without `range`, ±inf values count as underflow/overflow where numpy ' +
      'would raise, and an input without finite values gets the range (0, 1).',
  );

export type HistogramParams = z.output<typeof params>;

export interface HistogramResult {
  readonly column: string;
  readonly edges: number[];
  readonly counts: number[];
  /** Values below the first edge. */
  readonly underflow: number;
  /** Values above the last edge. */
  readonly overflow: number;
  readonly nan: number;
}

export default defineStage({
  name: 'histogram',
  kind: 'sink',
  params,
  outputs: (p) => (p.out ? [p.out] : []),
  check: (p, schema) => {
    const { dtype } = requireColumn(schema, p.column, 'histogram');
    // With a range the edges depend on the params alone: refuse too many bins before the run.
    if (p.range) histogramPlan(p, dtype, undefined, 'PARAMS_INVALID');
  },
  prepare: (p) => (p.range ? undefined : new RangeAccumulator(p.column)),
  create: (p, ctx) => {
    const { dtype } = requireColumn(ctx.schema, p.column, 'histogram');
    const plan = histogramPlan(p, dtype, p.range ? undefined : preparedRange(ctx.prepared), 'RANGE_INVALID');
    const unit = ctx.schema.columns.find((c) => c.name === p.column)?.unit;
    return createAccumulatorSink(new HistogramAccumulator(p.column, plan), {
      out: p.out,
      overwrite: ctx.overwrite,
      source: ctx.schema.source,
      table: (result) => histogramTable(result, unit),
    });
  },
});

/** A histogram as a table: one row per bin, its edges (float64) and its count (int64, as numpy). */
export function histogramTable(result: HistogramResult, unit?: string): ResultTable {
  const bins = result.counts.length;
  return {
    columns: {
      left: Float64Array.from(result.edges.slice(0, bins)),
      right: Float64Array.from(result.edges.slice(1, bins + 1)),
      count: BigInt64Array.from(result.counts, (c) => BigInt(c)),
    },
    units: unit ? { left: unit, right: unit } : undefined,
  };
}

/** The bins for `p` on a column of `dtype`; `code` for an impossible bin count. */
export function histogramPlan(
  p: HistogramParams,
  dtype: DType,
  data: ValueRange | undefined,
  code: ErrorCode,
): BinPlan {
  const plan = planBins(dtype, p.bins, p.range, data);
  if (!hasUsableEdges(plan.edges)) {
    throw new SluiceError(
      code,
      `histogram: too many bins for the range; cannot create ${p.bins} finite-sized bins`,
      {
        hint: `use fewer bins or a wider range (the edges are ${dtype === 'float32' ? 'float32' : 'float64'} values, as in numpy)`,
      },
    );
  }
  return plan;
}

function preparedRange(prepared: unknown): ValueRange {
  if (isValueRange(prepared)) return prepared;
  throw new SluiceError('STAGE_FAILED', 'histogram: the min/max pass over the input did not run', {
    hint: 'give `range`, or run the sink through the pipeline runner, which runs `prepare` first',
  });
}

/** Counts per bin, plus what fell outside; the kernels add to it in place. */
export interface HistogramTally {
  readonly counts: Float64Array;
  underflow: number;
  overflow: number;
  nan: number;
}

/** A fixed-edge histogram; add() counts only the new rows of a batch (DESIGN.md §1). */
export class HistogramAccumulator implements Accumulator<HistogramResult>, HistogramTally {
  readonly counts: Float64Array;
  underflow = 0;
  overflow = 0;
  nan = 0;

  constructor(
    readonly column: string,
    readonly plan: BinPlan,
  ) {
    this.counts = new Float64Array(plan.bins);
  }

  add(batch: Batch): void {
    binValues(newRowsOf(batch, this.column), this.plan, this);
  }

  /** Adds another histogram of the same column and edges (a shard of the same input). */
  toState(): Pick<HistogramAccumulator, 'column' | 'plan' | 'counts' | 'underflow' | 'overflow' | 'nan'> {
    const { column, plan, counts, underflow, overflow, nan } = this;
    return { column, plan, counts, underflow, overflow, nan };
  }

  merge(other: HistogramAccumulator): void {
    if (other.column !== this.column || !sameEdges(this.plan.edges, other.plan.edges)) {
      throw new SluiceError(
        'RANGE_INVALID',
        'histogram: cannot merge histograms with different columns or edges',
        {
          hint: "every shard must bin with the same edges: merge the shards' min/max pre-passes first, or give `range`",
        },
      );
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.underflow += other.underflow;
    this.overflow += other.overflow;
    this.nan += other.nan;
  }

  result(): HistogramResult {
    return {
      column: this.column,
      edges: Array.from(this.plan.edges),
      counts: Array.from(this.counts),
      underflow: this.underflow,
      overflow: this.overflow,
      nan: this.nan,
    };
  }
}

function sameEdges(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((edge, i) => edge === b[i]);
}

// --- kernels ---------------------------------------------------------------------------------

/** Adds every value of `data` to `tally` with the bins of `plan`. */
export function binValues(data: TypedArray, plan: BinPlan, tally: HistogramTally): void {
  if (isBigIntArray(data)) binInt64Values(data, plan, tally);
  else binNumberValues(data, plan, tally);
}

/** Float and up-to-32-bit integer columns (integers convert to float64 exactly). */
export function binNumberValues(data: NumberArray, plan: BinPlan, tally: HistogramTally): void {
  const { edges, bins } = plan;
  const { counts } = tally;
  const first = edges[0];
  const last = edges[bins];
  let underflow = 0;
  let overflow = 0;
  let nan = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!(x >= first)) {
      if (x !== x) nan++;
      else underflow++;
    } else if (x > last) overflow++;
    else counts[binIndex(x, plan, edges, bins)]++;
  }
  tally.underflow += underflow;
  tally.overflow += overflow;
  tally.nan += nan;
}

/** int64/uint64 columns: values convert to the nearest double, as numpy casts them. */
export function binInt64Values(data: BigIntArray, plan: BinPlan, tally: HistogramTally): void {
  const { edges, bins } = plan;
  const { counts } = tally;
  const signed = data instanceof BigInt64Array;
  const words = toInt64Words(data);
  const [hiWord, loWord, scale] = [HI_WORD, LO_WORD, TWO_POW_32]; // locals: see int64Moments
  const first = edges[0];
  const last = edges[bins];
  let underflow = 0;
  let overflow = 0;
  for (let i = 0; i < data.length; i++) {
    const w = words[2 * i + hiWord];
    const x = (signed ? w | 0 : w) * scale + words[2 * i + loWord]; // as int64WordsToNumber
    if (x < first) underflow++;
    else if (x > last) overflow++;
    else counts[binIndex(x, plan, edges, bins)]++;
  }
  tally.underflow += underflow;
  tally.overflow += overflow;
}
