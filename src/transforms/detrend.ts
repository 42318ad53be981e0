import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { defineStage } from '../core/stage.ts';
import { detrendInPlace } from '../dsp/detrend.ts';
import { checkSegmentColumn, mapSegmentRows } from '../dsp/segments.ts';
import { META, withMetadata } from '../dsp/spectral-metadata.ts';

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
