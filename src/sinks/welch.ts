import { z } from 'zod';
import { findColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { fftPrecisionParam, loadFloat32Fft } from '../dsp/pffft.ts';
import type { PsdResult } from '../dsp/psd-accumulator.ts';
import { checkSegmentParams } from '../dsp/segments.ts';
import { WelchAccumulator } from '../dsp/welch-accumulator.ts';
import { toWindowSpec } from '../dsp/windows.ts';
import { createAccumulatorSink } from '../adapters/accumulator-sink.ts';
import { psdOutParam, spectrumOutput } from '../adapters/spectrum-output.ts';
import {
  checkSignalColumn,
  fitSegmentToInput,
  medianMemoryField,
  noverlapField,
  spectralFields,
} from '../adapters/spectral-params.ts';

const params = z
  .object({
    ...spectralFields,
    noverlap: noverlapField('nperseg // 2'),
    window: spectralFields.window
      .default('hann')
      .describe(
        'A scipy.signal.get_window name, or { name: tukey, alpha: 0.3 } / { name: kaiser, beta: 14 } / { name: gaussian, std: 7 }.',
      ),
    average: z
      .enum(['mean', 'median'])
      .default('mean')
      .describe("How periodograms are averaged; median divides by scipy's bias (_median_bias)."),
    medianMemoryMiB: medianMemoryField,
    fft: fftPrecisionParam,
    out: psdOutParam,
  })
  .strict()
  .describe(
    "scipy.signal.welch on the whole input, for any chunk size: segments (nperseg, noverlap), detrend, window, rfft (nfft), periodograms averaged (mean or median), scaled and doubled as scipy. Computed in float64 (the FFT in float32 with fft: float32); sampleRate from the source's schema (1 when absent, scipy's fs=1).",
  );

export type WelchParams = z.output<typeof params>;

export default defineStage({
  name: 'welch',
  kind: 'sink',
  cpuHeavy: true,
  params,
  history: (p) => p.nperseg - 1,
  outputs: (p) => (p.out ? [p.out] : []),
  check: (p, schema) => {
    checkSignalColumn(schema, p.column, 'welch');
    toWindowSpec(p.window);
    checkSegmentParams(p.nperseg, p.noverlap ?? Math.floor(p.nperseg / 2), p.nfft ?? p.nperseg, 'welch');
  },
  create: async (p, ctx) => {
    if (p.fft === 'float32') await loadFloat32Fft();
    // Checks nperseg, nfft and the memory they take before allocating (dsp/segments.ts).
    const accumulator = new WelchAccumulator(fitSegmentToInput(p, ctx.rows, 'welch', ctx.log), ctx.schema);
    return createAccumulatorSink(accumulator, {
      out: p.out,
      overwrite: ctx.overwrite,
      source: ctx.schema.source,
      ...spectrumOutput<PsdResult>(p.out ?? '', (r) => r.psd, 'psd', {
        sampleRate: ctx.schema.sampleRate,
        unit: findColumn(ctx.schema, p.column)?.unit,
      }),
    });
  },
});
