import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { filterBatch, toBounds } from '../expr/range-filter.ts';

const predicate = z
  .object({
    column: z.string().min(1).describe('The column tested (width 1).'),
    within: z
      .tuple([z.number(), z.number()])
      .optional()
      .describe('[lo, hi]: keeps lo ≤ x ≤ hi (both ends included), like (x >= lo) & (x <= hi) in numpy.'),
    min: z.number().optional().describe('Keeps x ≥ min.'),
    max: z.number().optional().describe('Keeps x ≤ max.'),
    above: z.number().optional().describe('Keeps x > above (end excluded).'),
    below: z.number().optional().describe('Keeps x < below (end excluded).'),
  })
  .strict()
  .refine((q) => [q.within, q.min, q.max, q.above, q.below].some((v) => v !== undefined), {
    message: 'give at least one bound: within, min, max, above or below',
  })
  .describe('One range test on one column; all its bounds must hold.');

const params = z
  .object({
    where: z
      .array(predicate)
      .min(1)
      .describe(
        "Range tests, all of which a row must pass (and), e.g. [{ column: 'm/n (Da)', within: [10, 20] }].",
      ),
  })
  .strict()
  .describe(
    'Keeps the rows whose columns lie within ranges; NaN passes no test. Row-wise, so it passes look-back through: history rows that fail are dropped and the output history counts the kept ones. Batches keep their `start` (the global row of the first input row); after filtering, rows are no longer consecutive source rows.',
  );

export type FilterParams = z.output<typeof params>;

function checkColumns(p: FilterParams, schema: Schema): void {
  for (const q of p.where) {
    const column = requireColumn(schema, q.column, 'filter');
    if (column.width !== 1) {
      throw new SluiceError(
        'PARAMS_INVALID',
        `filter: column '${q.column}' has ${column.width} values per row`,
        {
          hint: 'filter tests one value per row; derive a scalar column first',
        },
      );
    }
  }
}

export default defineStage({
  name: 'filter',
  kind: 'transform',
  params,
  history: () => 0,
  schema: (p, input) => {
    checkColumns(p, input);
    return input;
  },
  create: (p, ctx) => {
    checkColumns(p, ctx.schema);
    const bounds = p.where.map(toBounds);
    return (batch: Batch) => filterBatch(batch, bounds);
  },
});
