import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import type { DetrendMethod } from '../dsp/spectral.ts';
import { detrendInPlace, META, withMetadata } from '../dsp/spectral.ts';

const params = z
  .object({
    column: z.string().min(1).default('segment').describe('Width-n float64 column whose rows are detrended.'),
    method: z
      .enum(['constant', 'linear', 'none'])
      .default('constant')
      .describe('As scipy.signal.detrend type: constant removes the mean, linear the least-squares line.'),
  })
  .strict()
  .describe(
    'Removes the mean or the least-squares line from every row of a segment column (a copy; input untouched).',
  );

export default defineStage({
  name: 'detrend',
  kind: 'transform',
  keepsRows: true,
  params,
  history: () => 0,
  schema: (p, input) => {
    checkSegmentColumn(input, p.column, 'detrend');
    return withMetadata(input, { [META.detrend]: p.method });
  },
  create: (p) => (batch: Batch) => mapSegmentRows(batch, p.column, (row) => detrendInPlace(row, p.method)),
});

/** A float64 width-n column, as segment emits it. */
export function checkSegmentColumn(schema: Schema, name: string, stage: string): void {
  const column = requireColumn(schema, name, stage);
  if (column.dtype !== 'float64') {
    throw new SluiceError('COLUMN_UNKNOWN', `${stage}: column '${name}' is ${column.dtype}, not float64`, {
      hint: 'put a segment step before it',
    });
  }
}

/**
 * A batch whose `column` is a copy of the input's with `edit` applied to each row in place;
 * other columns are shared. Rows are edited in the copy, so the input batch stays immutable.
 */
export function mapSegmentRows(batch: Batch, column: string, edit: (row: Float64Array) => void): Batch {
  const { data, width } = getColumn(batch, column);
  const copy = Float64Array.from(data as Float64Array);
  for (let r = 0; r < batch.rows; r++) edit(copy.subarray(r * width, (r + 1) * width));
  return { ...batch, columns: { ...batch.columns, [column]: { data: copy, width } } };
}

export function removeTrend(row: Float64Array, method: DetrendMethod): Float64Array {
  const out = row.slice();
  detrendInPlace(out, method);
  return out;
}
