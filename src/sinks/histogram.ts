import { z } from 'zod';
import type { DType } from '../core/dtype.ts';
import type { ErrorCode } from '../core/errors.ts';
import { SluiceError } from '../core/errors.ts';
import { requireColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { RESULT_EXTENSIONS } from '../adapters/result-file.ts';
import { createAccumulatorSink } from '../adapters/accumulator-sink.ts';
import type { BinPlan } from '../stats/bin-edges.ts';
import { hasUsableEdges, planBins } from '../stats/bin-edges.ts';
import { HistogramAccumulator, histogramTable } from '../stats/histogram.ts';
import type { ValueRange } from '../stats/range.ts';
import { isValueRange, RangeAccumulator } from '../stats/range.ts';

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
          '(left, right, count); .json the result { column, edges, counts, underflow, overflow, nan }; other ' +
          'extensions are refused. When absent the result is only returned to the caller.',
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

export default defineStage({
  name: 'histogram',
  kind: 'sink',
  params,
  outputs: (p) => (p.out ? [p.out] : []),
  extensions: RESULT_EXTENSIONS,
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
