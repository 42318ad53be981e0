/**
 * TraceKit's `chunked_fft` (tracekit 0.3.1, src/tracekit/streaming/chunked.py) as a sink, for
 * users porting that code: the same segments, window, normalisation and dB result, computed in
 * one pass over a file of any size and identical for every chunkRows and for merged shards.
 */
import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import type { SpectrumAverageResult, TraceKitWindow } from '../dsp/spectrum-average-accumulator.ts';
import { SpectrumAverageAccumulator, TRACEKIT_WINDOWS } from '../dsp/spectrum-average-accumulator.ts';
import { checkFftLength } from '../dsp/segments.ts';
import { createAccumulatorSink } from '../adapters/accumulator-sink.ts';
import { spectrumOutParam, spectrumOutput } from '../adapters/spectrum-output.ts';
import { checkSignalColumn } from '../adapters/spectral-params.ts';

const params = z
  .object({
    column: z.string().min(1).default('value').describe('Width-1 column holding the signal.'),
    chunkSize: z
      .int()
      .positive()
      .default(10_000_000)
      .describe(
        "TraceKit's chunk_size: samples per segment (not the batch size, which is the source's chunkRows). " +
          'Look-back and memory grow with it: a few × chunkSize × 8 bytes, refused (PARAMS_INVALID) beyond half ' +
          'the memory; a signal no longer than chunkSize needs only its own length.',
      ),
    overlap: z
      .number()
      .min(0)
      .lt(100)
      .default(50)
      .describe(
        'Overlap between segments in percent, 0 ≤ overlap < 100; int(chunkSize × overlap / 100) samples.',
      ),
    window: z
      .enum(Object.keys(TRACEKIT_WINDOWS) as [TraceKitWindow, ...TraceKitWindow[]])
      .default('hann')
      .describe("Window, by TraceKit's names: symmetric (numpy's np.hanning, …); kaiser has beta 8.6."),
    nfft: z
      .int()
      .positive()
      .optional()
      .describe(
        'FFT length ≥ chunkSize (zero padding; any size up to 2^25, 2^24 when not a power of two). Default: ' +
          'the next power of two ≥ chunkSize (≥ the signal length when that is shorter, as TraceKit).',
      ),
    out: spectrumOutParam(
      'File to write: .json { frequencies, magnitudeDb, segments, nfft, window }; .npy a 2 × F float64 array ' +
        '(row 0 frequencies, row 1 dB); or a table of columns frequency, magnitude_db: .parquet, ' +
        '.arrow/.feather/.arrows, .h5/.hdf5, .csv. When absent the result is only returned.',
    ),
  })
  .strict()
  .superRefine((p, ctx) => {
    // numpy's rfft would silently truncate each segment to nfft: almost surely a mistake.
    if (p.nfft !== undefined && p.nfft < p.chunkSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['nfft'],
        message: `nfft ${p.nfft} is shorter than chunkSize ${p.chunkSize}`,
      });
    }
  })
  .describe(
    "TraceKit's chunked_fft: segments of chunkSize samples with a percentage overlap, each with its mean removed, " +
      'windowed, |rfft| divided by chunkSize × the coherent gain (Σw / chunkSize), averaged over segments, in dB ' +
      '(20·log10, floored at 1e-20). A signal no longer than chunkSize is one windowed FFT of the whole signal ' +
      'without mean removal, as TraceKit does. Frequencies from the source sampleRate (1 when absent).',
  );

export type SpectrumAverageParams = z.output<typeof params>;

export default defineStage({
  name: 'spectrum-average',
  kind: 'sink',
  cpuHeavy: true,
  params,
  history: (p) => p.chunkSize - 1,
  outputs: (p) => (p.out ? [p.out] : []),
  check: (p, schema) => {
    checkSignalColumn(schema, p.column, 'spectrum-average');
    if (p.nfft !== undefined) checkFftLength(1, p.nfft, 'spectrum-average', 'chunkSize');
  },
  create: async (p, ctx) => {
    const accumulator = new SpectrumAverageAccumulator(p, ctx.schema);
    accumulator.checkInput(ctx.rows); // before anything of chunkSize or nfft is allocated
    return createAccumulatorSink(accumulator, {
      out: p.out,
      overwrite: ctx.overwrite,
      source: ctx.schema.source,
      ...spectrumOutput<SpectrumAverageResult>(p.out ?? '', (r) => r.magnitudeDb, 'magnitude_db', {
        sampleRate: ctx.schema.sampleRate,
      }),
    });
  },
});
