import { z } from 'zod';
import type { DType } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { requireColumns } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { createAccumulatorSink } from '../adapters/accumulator-sink.ts';
import { RESULT_EXTENSIONS } from '../adapters/result-file.ts';
import { QuantilesAccumulator, SketchPass, quantilesTable } from '../stats/quantiles.ts';

const params = z
  .object({
    columns: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Columns to summarise (a width-k column contributes all its values); every column when absent.',
      ),
    q: z
      .array(z.number().min(0).max(1))
      .default([0.25, 0.75])
      .describe("Quantiles wanted besides the median, in [0, 1] (numpy.quantile's q)."),
    exact: z
      .boolean()
      .default(false)
      .describe(
        'Exact values (numpy.nanmedian / numpy.nanquantile, method linear) at the cost of a pass before the ' +
          'main one and memory of about 0.2% of the values per quantile; otherwise a KLL sketch.',
      ),
    k: z
      .number()
      .int()
      .min(8)
      .max(65536)
      .default(1000)
      .describe(
        'KLL sketch size: normalized rank error below 2.296/k^0.9723 (0.28% for k = 1000) with 99% ' +
          'probability per quantile; memory about 3k doubles per column.',
      ),
    out: z
      .string()
      .min(1)
      .optional()
      .describe(
        'File to write: .parquet, .arrow/.feather/.arrows, .h5/.hdf5, .npy or .csv get a table of one row per ' +
          'quantile (q, then one column per summarised column, the median first); .json the result ' +
          '{ columns: [{ column, count, nan, median, quantiles, exact, rankError }] }. When absent the result is ' +
          'only returned to the caller.',
      ),
  })
  .strict()
  .describe(
    'Median and chosen quantiles of each column, NaNs left out (numpy.nanmedian, numpy.nanquantile with ' +
      "method 'linear'). By default from a mergeable KLL sketch whose rank error is reported as `rankError` " +
      '(a fraction of the count; it replaces the median of chunk medians, which has no bound); with ' +
      '`exact: true`, exact, using a sketch pass first to bracket each value.',
  );

export type QuantilesParams = z.output<typeof params>;

export default defineStage({
  name: 'quantiles',
  kind: 'sink',
  params,
  outputs: (p) => (p.out ? [p.out] : []),
  extensions: RESULT_EXTENSIONS,
  check: (p, schema) => void requireColumns(schema, p.columns, 'quantiles'),
  prepare: (p, schema) => {
    if (!p.exact) return undefined;
    const names = columnsOf(p, schema).map((c) => c.name);
    return new SketchPass(names.length, names);
  },
  create: (p, ctx) => {
    const columns = columnsOf(p, ctx.schema);
    let sketches: SketchPass | undefined;
    if (p.exact) {
      if (!(ctx.prepared instanceof SketchPass)) {
        throw new SluiceError('STAGE_FAILED', 'quantiles: the sketch pass over the input did not run', {
          hint: 'exact: true needs the pipeline runner, which runs `prepare` first',
        });
      }
      sketches = ctx.prepared;
    }
    const units = Object.fromEntries(ctx.schema.columns.flatMap((c) => (c.unit ? [[c.name, c.unit]] : [])));
    return createAccumulatorSink(new QuantilesAccumulator(columns, p.q, p.k, sketches), {
      out: p.out,
      overwrite: ctx.overwrite,
      source: ctx.schema.source,
      table: (result) => ({ ...quantilesTable(result), units }),
    });
  },
});

function columnsOf(p: QuantilesParams, schema: Schema): { name: string; dtype: DType }[] {
  return requireColumns(schema, p.columns, 'quantiles').map((c) => ({ name: c.name, dtype: c.dtype }));
}
