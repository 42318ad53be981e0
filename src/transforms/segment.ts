import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import type { SegmentGeometry } from '../dsp/segments.ts';
import { cutSegments } from '../dsp/segments.ts';
import { META, withMetadata } from '../dsp/spectral-metadata.ts';

const params = z
  .object({
    column: z.string().min(1).default('value').describe('The signal: a width-1 numeric column.'),
    length: z.number().int().min(1).describe('Samples per segment n (scipy nperseg).'),
    hop: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Samples between segment starts. Default n // 2 (at least 1); or give overlap.'),
    overlap: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Samples shared by consecutive segments (scipy noverlap): hop = n − overlap.'),
  })
  .strict()
  .refine((p) => p.hop === undefined || p.overlap === undefined, {
    message: 'give hop or overlap, not both',
  })
  .refine((p) => p.overlap === undefined || p.overlap < p.length, {
    message: 'overlap must be less than length',
  })
  .describe(
    'Cuts the signal into segments of n samples every hop samples, counted from the source origin (schema.origin, the startRow): segment k covers rows [origin + k·hop, origin + k·hop + n); a trailing partial segment is dropped, as scipy does. Emits one row per segment: width-n float64 `segment` and `t0` (global row of its first sample); the batch start is the segment index.',
  );

export type SegmentParams = z.output<typeof params>;

export default defineStage({
  name: 'segment',
  kind: 'transform',
  params,
  history: (p) => p.length - 1,
  schema: (p, input) => segmentSchema(p, input),
  create: (p, ctx) => {
    const geometry = segmentGeometry(p, ctx.schema);
    const schema = segmentSchema(p, ctx.schema);
    return (batch: Batch) => cutSegments(batch, p.column, geometry, schema);
  },
});

export function hopOf(p: SegmentParams): number {
  if (p.overlap !== undefined) return p.length - p.overlap;
  return p.hop ?? Math.max(1, Math.floor(p.length / 2));
}

export function segmentGeometry(p: SegmentParams, schema: Schema): SegmentGeometry {
  return { length: p.length, hop: hopOf(p), origin: schema.origin ?? 0 };
}

export function segmentSchema(p: SegmentParams, input: Schema): Schema {
  const column = requireColumn(input, p.column, 'segment');
  if (column.width !== 1) {
    throw new SluiceError(
      'COLUMN_UNKNOWN',
      `segment: column '${p.column}' has width ${column.width}, not 1`,
      {
        hint: 'segment cuts a signal: one sample per row',
      },
    );
  }
  const base: Schema = {
    ...input,
    origin: undefined,
    columns: [
      { name: 'segment', dtype: 'float64', width: p.length, unit: column.unit },
      { name: 't0', dtype: 'float64', width: 1 },
    ],
  };
  return withMetadata(base, { [META.segmentLength]: p.length, [META.hop]: hopOf(p) });
}
