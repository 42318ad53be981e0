import { z } from 'zod';
import type { DType } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { RESULT_EXTENSIONS } from '../adapters/result-file.ts';
import { createAccumulatorSink, formatJson } from '../adapters/accumulator-sink.ts';
import { TABLE_EXTENSIONS } from '../adapters/result-file.ts';
import type { BinPlan } from '../stats/bin-edges.ts';
import { hasUsableEdges } from '../stats/bin-edges.ts';
import {
  binCounts,
  encodeCountsNpy,
  Histogram2dAccumulator,
  histogram2dTable,
  planAxisBins,
  sampleDtype,
} from '../stats/histogram2d.ts';
import type { ValueRange } from '../stats/range.ts';
import { isValueRange, PairRangeAccumulator } from '../stats/range.ts';

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

export default defineStage({
  name: 'histogram2d',
  kind: 'sink',
  params,
  outputs: (p) => (p.out ? [p.out] : []),
  extensions: RESULT_EXTENSIONS,
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
    const plan = planAxisBins(dtype, bins[axis], p.range?.[axis], data?.[axis]);
    if (!hasUsableEdges(plan.edges)) {
      throw new SluiceError(code, `histogram2d: too many bins for the ${axis ? 'y' : 'x'} range`, {
        hint: 'use fewer bins or a wider range',
      });
    }
    return plan;
  }) as [BinPlan, BinPlan];
}

function preparedRanges(prepared: unknown): [ValueRange, ValueRange] {
  if (Array.isArray(prepared) && prepared.length === 2 && prepared.every(isValueRange)) {
    return [prepared[0] as ValueRange, prepared[1] as ValueRange];
  }
  throw new SluiceError('STAGE_FAILED', 'histogram2d: the min/max pass over the input did not run', {
    hint: 'give `range`, or run the sink through the pipeline runner, which runs `prepare` first',
  });
}
