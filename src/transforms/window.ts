import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { findColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { checkSegmentColumn, mapSegmentRows } from '../dsp/segments.ts';
import { META, withMetadata } from '../dsp/spectral-metadata.ts';
import { makeWindow, toWindowSpec, WINDOW_NAMES, windowLabel, windowSums } from '../dsp/windows.ts';

const params = z
  .object({
    column: z.string().min(1).default('segment').describe('Width-n float64 column whose rows are windowed.'),
    name: z.enum(WINDOW_NAMES).default('hann').describe('The window, as scipy.signal.get_window names it.'),
    alpha: z
      .number()
      .optional()
      .describe('tukey: fraction of the window inside the taper (scipy default 0.5).'),
    beta: z.number().optional().describe('kaiser: shape parameter (required for kaiser).'),
    std: z
      .number()
      .positive()
      .optional()
      .describe('gaussian: standard deviation in samples (required for gaussian).'),
    sym: z
      .boolean()
      .default(false)
      .describe(
        'true: the symmetric window (filter design); false: periodic, scipy get_window’s fftbins=True.',
      ),
  })
  .strict()
  .describe(
    'Multiplies every segment row by a window (scipy.signal.get_window, periodic by default), on a copy. Records the window and its Σw, Σw² in the schema for psd scaling.',
  );

export type WindowParams = z.output<typeof params>;

export default defineStage({
  name: 'window',
  kind: 'transform',
  keepsRows: true,
  params,
  history: () => 0,
  schema: (p, input) => {
    checkSegmentColumn(input, p.column, 'window');
    toWindowSpec(p);
    const w = windowOf(p, findColumn(input, p.column)?.width ?? 0);
    const sums = windowSums(w);
    return withMetadata(input, {
      [META.window]: windowLabel(toWindowSpec(p)) + (p.sym ? ' sym' : ''),
      [META.windowSum]: sums.sum,
      [META.windowSumSquares]: sums.sumSquares,
    });
  },
  create: (p, ctx) => {
    const w = windowOf(p, findColumn(ctx.schema, p.column)?.width ?? 0);
    return (batch: Batch) =>
      mapSegmentRows(batch, p.column, (row) => {
        for (let i = 0; i < row.length; i++) row[i] *= w[i];
      });
  },
});

export function windowOf(p: WindowParams, length: number): Float64Array {
  return makeWindow(toWindowSpec(p), length, p.sym);
}
