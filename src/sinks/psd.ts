import { z } from 'zod';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import { findColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { META, metaNumber } from '../dsp/spectral-metadata.ts';
import { createAccumulatorSink } from '../adapters/accumulator-sink.ts';
import type { PsdConfig, PsdResult } from '../dsp/psd-accumulator.ts';
import { PsdAccumulator } from '../dsp/psd-accumulator.ts';
import { psdOutParam, spectrumOutput } from '../adapters/spectrum-output.ts';
import { medianMemoryField, spectralFields } from '../adapters/spectral-params.ts';

const params = z
  .object({
    average: z
      .enum(['mean', 'median'])
      .default('mean')
      .describe("How periodograms are averaged; median divides by scipy's bias (_median_bias)."),
    scaling: spectralFields.scaling,
    medianMemoryMiB: medianMemoryField,
    out: psdOutParam,
  })
  .strict()
  .describe(
    "Averages the periodograms of `fft` with output: power (column `spectrum`) into a PSD, scaled and one-sided doubled as scipy (not DC, not an even nfft's Nyquist). The segment length, window sums and nfft come from the segment/window/fft stages before it (schema metadata); sampleRate from the source (1 when absent). An accumulator: shards merge.",
  );

export type PsdParams = z.output<typeof params>;

export default defineStage({
  name: 'psd',
  kind: 'sink',
  params,
  outputs: (p) => (p.out ? [p.out] : []),
  check: (p, schema) => void psdConfig(p, schema),
  create: async (p, ctx) => {
    const accumulator = new PsdAccumulator(psdConfig(p, ctx.schema));
    return createAccumulatorSink(accumulator, {
      out: p.out,
      overwrite: ctx.overwrite,
      source: ctx.schema.source,
      ...spectrumOutput<PsdResult>(p.out ?? '', (r) => r.psd, 'psd', {
        sampleRate: ctx.schema.sampleRate,
        unit: findColumn(ctx.schema, 'spectrum')?.unit,
      }),
    });
  },
});

/** The accumulator's configuration, from the params and what the stages before told the schema. */
export function psdConfig(p: PsdParams, schema: Schema): PsdConfig {
  const column = requireColumn(schema, 'spectrum', 'psd');
  const output = schema.metadata?.[META.fftOutput];
  const nfft = metaNumber(schema, META.nfft);
  const nperseg = metaNumber(schema, META.segmentLength);
  if (output !== 'power' || nfft === undefined || nperseg === undefined) {
    throw new SluiceError('COLUMN_UNKNOWN', 'psd: its input must be the output of fft with output: power', {
      hint: 'steps: segment → (detrend) → (window) → fft { output: power } → psd; or use the welch sink',
    });
  }
  if (column.width !== Math.floor(nfft / 2) + 1) {
    throw new SluiceError(
      'COLUMN_UNKNOWN',
      `psd: spectrum width ${column.width} does not match nfft ${nfft}`,
    );
  }
  const window = schema.metadata?.[META.window] ?? 'boxcar';
  return {
    nperseg,
    nfft,
    sampleRate: schema.sampleRate ?? 1,
    scaling: p.scaling,
    average: p.average,
    window,
    windowSums: {
      sum: metaNumber(schema, META.windowSum) ?? nperseg,
      sumSquares: metaNumber(schema, META.windowSumSquares) ?? nperseg,
    },
    medianMemoryBytes: p.medianMemoryMiB * 2 ** 20,
  };
}
