import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { createRealTransform, fftPrecisionParam, loadFloat32Fft } from '../dsp/pffft.ts';
import { rfftRows } from '../dsp/rfft-rows.ts';
import { checkFftLength, checkSegmentColumn, checkSpectrumMemory } from '../dsp/segments.ts';
import { META, withMetadata } from '../dsp/spectral-metadata.ts';

const params = z
  .object({
    column: z.string().min(1).default('segment').describe('Width-n float64 column: one segment per row.'),
    nfft: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'FFT length ≥ n, zero padded (default n). Any size, in float64: powers of two by a radix-4 real FFT, others by Bluestein’s chirp-z on fft.js.',
      ),
    output: z
      .enum(['complex', 'power', 'magnitude', 'db'])
      .default('power')
      .describe(
        'complex: columns re, im; power: |X|²; magnitude: |X|; db: 10·log10 |X|² — unscaled, in a width nfft/2+1 column `spectrum`.',
      ),
    fft: fftPrecisionParam,
  })
  .strict()
  .describe(
    'Real FFT (numpy.fft.rfft) of every segment row, in float64 (or float32 with fft: float32). The frequency axis (sampleRate/nfft per bin, 1 when the source has no sampleRate) is in the column schema. Feed output: power to psd.',
  );

export type FftParams = z.output<typeof params>;

export default defineStage({
  name: 'fft',
  kind: 'transform',
  keepsRows: true,
  cpuHeavy: true,
  params,
  history: () => 0,
  schema: (p, input) => fftSchema(p, input),
  create: (p, ctx) => {
    const n = requireColumn(ctx.schema, p.column, 'fft').width;
    const nfft = p.nfft ?? n;
    const schema = fftSchema(p, ctx.schema);
    checkSpectrumMemory(n, nfft, 'fft', { segmentName: 'segment length' });
    if (p.fft === 'float64') {
      const fft = createRealTransform(nfft);
      return (batch: Batch) => rfftRows(batch, p, fft, schema);
    }
    // The WASM module loads asynchronously; the first batch waits for it. A transform has no
    // end hook, so the kernel's WASM buffers are freed when the stage is garbage collected.
    const ready = loadFloat32Fft().then(() => createRealTransform(nfft, 'float32'));
    ready.catch(() => {}); // reported by the first batch's await
    return async (batch: Batch) => rfftRows(batch, p, await ready, schema);
  },
});

export function fftSchema(p: FftParams, input: Schema): Schema {
  checkSegmentColumn(input, p.column, 'fft');
  const n = requireColumn(input, p.column, 'fft').width;
  const nfft = p.nfft ?? n;
  if (nfft < n) {
    throw new SluiceError('PARAMS_INVALID', `fft: nfft ${nfft} is less than the segment length ${n}`, {
      hint: 'nfft must be ≥ the segment length (zero padding only)',
    });
  }
  checkFftLength(n, nfft, 'fft', 'segment length');
  const bins = Math.floor(nfft / 2) + 1;
  const axis = { name: 'frequency', unit: 'Hz', start: 0, step: (input.sampleRate ?? 1) / nfft };
  const spectral = (name: string): ColumnSchema => ({ name, dtype: 'float64', width: bins, axis });
  const columns = p.output === 'complex' ? [spectral('re'), spectral('im')] : [spectral('spectrum')];
  const rest = input.columns.filter((c) => c.name !== p.column);
  return withMetadata(
    { ...input, columns: [...columns, ...rest] },
    { [META.nfft]: nfft, [META.fftOutput]: p.output, [META.segmentLength]: n },
  );
}
