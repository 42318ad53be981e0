import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import type { Schema } from '../core/schema.ts';
import type { SinkInstance } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import { fftPrecisionParam, loadFloat32Fft } from '../dsp/pffft.ts';
import { checkSegmentParams } from '../dsp/segments.ts';
import { SpectrogramSlicer, spectrogramNoverlap } from '../dsp/spectrogram-slices.ts';
import { frequencies } from '../dsp/spectral-scaling.ts';
import { toWindowSpec } from '../dsp/windows.ts';
import {
  checkSignalColumn,
  fitSegmentToInput,
  noverlapField,
  spectralFields,
} from '../adapters/spectral-params.ts';
import { sliceSchema, sliceWriterFor, sliceWriterParams } from '../adapters/spectrogram-table.ts';
import type { SliceOutput } from '../adapters/spectrum-output.ts';
import {
  openSliceOutput,
  spectrogramLayout,
  spectrogramOutParam,
  spectrogramWriterParam,
} from '../adapters/spectrum-output.ts';

const params = z
  .object({
    ...spectralFields,
    noverlap: noverlapField('nperseg // 8, as scipy'),
    window: spectralFields.window
      .default({ name: 'tukey', alpha: 0.25 })
      .describe('A scipy.signal.get_window name, or { name: tukey, alpha: 0.25 } (the default) style.'),
    mode: z
      .enum(['psd', 'magnitude', 'complex'])
      .default('psd')
      .describe(
        'psd: scaled, one-sided doubled power; magnitude: |X|·sqrt(scale); complex: X·sqrt(scale), <c16.',
      ),
    db: z
      .boolean()
      .default(false)
      .describe('Write decibels: 10·log10 for psd, 20·log10 for magnitude (not with complex).'),
    fft: fftPrecisionParam,
    out: spectrogramOutParam,
    writer: spectrogramWriterParam,
  })
  .strict()
  .refine((p) => !(p.db && p.mode === 'complex'), { message: 'db needs mode psd or magnitude' })
  .refine((p) => p.writer === undefined || sliceWriterFor(p.out) !== undefined, {
    message: 'writer params need a table out (.parquet, .arrow, .h5, .csv, …), not .npy',
  })
  .describe(
    "scipy.signal.spectrogram on the whole input, streamed: each batch's time slices are written as they are computed — to a Fortran-order .npy (F × T) whose header's T is written when the stream ends, or as rows (time, Sxx) to a Parquet, Arrow, HDF5 or CSV writer. Times (segment centres / fs) and frequencies are in the result.",
  );

export type SpectrogramParams = z.output<typeof params>;

export interface SpectrogramResult {
  readonly out: string;
  readonly shape: readonly [number, number];
  readonly frequencies: number[];
  /** Segment centres in seconds from the origin: first + i·step, i < count (scipy's `t`). */
  readonly times: { readonly first: number; readonly step: number; readonly count: number };
  readonly mode: SpectrogramParams['mode'];
  readonly db: boolean;
}

export default defineStage({
  name: 'spectrogram',
  kind: 'sink',
  cpuHeavy: true,
  params,
  history: (p) => p.nperseg - 1,
  outputs: (p) => [p.out],
  check: (p, schema) => {
    checkSignalColumn(schema, p.column, 'spectrogram');
    toWindowSpec(p.window);
    checkSegmentParams(p.nperseg, spectrogramNoverlap(p, p.nperseg), p.nfft ?? p.nperseg, 'spectrogram');
    const writer = sliceWriterFor(p.out);
    if (writer) {
      const layout = spectrogramLayout(p, schema.sampleRate, p.nperseg);
      writer.check(sliceWriterParams(writer, p.out, p.writer, layout), sliceSchema(schema, layout));
    }
  },
  create: async (p, ctx) => {
    if (p.fft === 'float32') await loadFloat32Fft();
    const fitted = fitSegmentToInput(p, ctx.rows, 'spectrogram', ctx.log);
    // The slicer checks nperseg, nfft and their memory before it allocates; the output opens after.
    const slicer = new SpectrogramSlicer(fitted, ctx.schema);
    let output: SliceOutput | undefined;
    try {
      output = await openSliceOutput(p.out, p.writer, p.mode === 'complex', ctx);
      const sink = new SpectrogramSink(fitted, ctx.schema, output, slicer);
      await sink.start();
      return sink;
    } catch (error) {
      slicer.dispose();
      await output?.abort();
      throw error;
    }
  },
});

/** Each batch's slices, computed by the slicer, go straight to the output. */
class SpectrogramSink implements SinkInstance<SpectrogramResult> {
  readonly outputs: readonly string[];

  constructor(
    private readonly p: SpectrogramParams,
    private readonly schema: Schema,
    private readonly output: SliceOutput,
    private readonly slicer: SpectrogramSlicer,
  ) {
    this.outputs = [p.out];
  }

  start(): Promise<void> {
    return this.output.start(spectrogramLayout(this.p, this.schema.sampleRate, this.slicer.nperseg));
  }

  async write(batch: Batch): Promise<void> {
    for (const s of this.slicer.blocks(batch)) await this.output.append(s.times, s.block, s.count, s.first);
  }

  async finish(): Promise<SpectrogramResult> {
    const { slicer } = this;
    try {
      const short = slicer.shortInputSlice();
      if (short) {
        await this.start(); // F changed with nperseg
        await this.output.append(short.times, short.block, short.count, short.first);
      }
      await this.output.commit(slicer.bins, slicer.slices);
    } catch (error) {
      await this.output.abort();
      throw error;
    } finally {
      slicer.dispose();
    }
    return {
      out: this.p.out,
      shape: [slicer.bins, slicer.slices],
      frequencies: frequencies(slicer.nfft, this.schema.sampleRate ?? 1),
      times: slicer.times,
      mode: this.p.mode,
      db: this.p.db,
    };
  }

  async abort(): Promise<void> {
    this.slicer.dispose();
    await this.output.abort();
  }
}
