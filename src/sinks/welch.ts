import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import type { Schema } from '../core/schema.ts';
import type { Accumulator } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import type { DetrendMethod, SegmentGeometry } from '../dsp/spectral.ts';
import { ownedSegments, readSegment, SegmentSpectrum } from '../dsp/spectral.ts';
import { fftPrecisionParam, loadFloat32Fft } from '../dsp/pffft.ts';
import { makeWindow, toWindowSpec, windowLabel, windowSums } from '../dsp/windows.ts';
import type { PsdResult } from '../dsp/psd-accumulator.ts';
import { PsdAccumulator } from '../dsp/psd-accumulator.ts';
import { createAccumulatorSink } from '../adapters/accumulator-sink.ts';
import { psdOutParam, spectrumOutput } from '../adapters/spectrum-output.ts';
import {
  checkSegmentParams,
  checkSignalColumn,
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
    const accumulator = new WelchAccumulator(p, ctx.schema);
    return createAccumulatorSink(accumulator, {
      out: p.out,
      overwrite: ctx.overwrite,
      source: ctx.schema.source,
      ...spectrumOutput<PsdResult>(p.out ?? '', (r) => r.psd, 'psd'),
    });
  },
});

/**
 * Welch's average of a signal: every segment a batch owns goes through detrend → window →
 * rfft straight into the periodogram sum. Inputs shorter than nperseg are kept (fewer than
 * nperseg samples) and analysed at the end with nperseg = their length, as scipy does.
 */
export class WelchAccumulator implements Accumulator<PsdResult> {
  readonly psd: PsdAccumulator;
  private readonly spectrum: SegmentSpectrum;
  private readonly geometry: SegmentGeometry;
  /** The first nperseg − 1 rows from the origin, for an input shorter than one segment. */
  private readonly head: Float64Array;
  private headRows = 0;

  constructor(
    private readonly p: WelchParams,
    private readonly schema: Schema,
  ) {
    const nfft = p.nfft ?? p.nperseg;
    const noverlap = p.noverlap ?? Math.floor(p.nperseg / 2);
    checkSegmentParams(p.nperseg, noverlap, nfft, 'welch');
    const spec = toWindowSpec(p.window);
    const window = makeWindow(spec, p.nperseg);
    // fft: float32 needs loadFloat32Fft() to have resolved in this thread (create does it).
    // lazyBins: only power is summed here, so the complex bins are never unpacked.
    this.spectrum = new SegmentSpectrum(window, nfft, p.detrend as DetrendMethod, p.fft, true);
    this.geometry = { length: p.nperseg, hop: p.nperseg - noverlap, origin: schema.origin ?? 0 };
    this.psd = new PsdAccumulator({
      nperseg: p.nperseg,
      nfft,
      sampleRate: schema.sampleRate ?? 1,
      scaling: p.scaling,
      average: p.average,
      windowSums: windowSums(window),
      window: windowLabel(spec),
      medianMemoryBytes: p.medianMemoryMiB * 2 ** 20,
    });
    this.head = new Float64Array(p.nperseg - 1);
  }

  add(batch: Batch): void {
    const { data } = getColumn(batch, this.p.column);
    this.keepHead(batch, data);
    const { first, count } = ownedSegments(batch, this.geometry);
    const { origin, hop } = this.geometry;
    for (let k = first; k < first + count; k++) {
      this.spectrum.transformAt(data, origin + k * hop - batch.start);
      this.psd.addSegment(this.spectrum);
    }
  }

  toState(): Pick<WelchAccumulator, 'psd'> & { head: Float64Array; headRows: number } {
    return { psd: this.psd.toState(), head: this.head, headRows: this.headRows };
  }

  merge(other: WelchAccumulator): void {
    this.psd.merge(other.psd);
    if (other.headRows > this.headRows) {
      this.head.set(other.head.subarray(0, other.headRows));
      this.headRows = other.headRows;
    }
  }

  result(): PsdResult {
    if (this.psd.count > 0 || this.headRows === 0) return this.psd.result();
    // Shorter than one segment: scipy uses nperseg = the input's length (noverlap and nfft follow).
    const n = this.headRows;
    const short = new WelchAccumulator(
      { ...this.p, nperseg: n, nfft: this.p.nfft, noverlap: this.p.noverlap },
      { ...this.schema, origin: 0 },
    );
    try {
      short.add({
        schema: this.schema,
        columns: { [this.p.column]: { data: this.head.subarray(0, n), width: 1 } },
        rows: n,
        start: 0,
        history: 0,
      });
      return short.psd.result();
    } finally {
      short.dispose();
    }
  }

  /** Frees the FFT's native buffers (fft: float32); call once the result has been taken. */
  dispose(): void {
    this.spectrum.dispose();
  }

  /** Copies new rows in [origin, origin + nperseg − 1): all of an input shorter than a segment. */
  private keepHead(batch: Batch, data: Batch['columns'][string]['data']): void {
    const origin = this.geometry.origin;
    const from = Math.max(batch.start + batch.history, origin + this.headRows);
    const to = Math.min(batch.start + batch.rows, origin + this.head.length);
    if (to <= from || from !== origin + this.headRows) return;
    readSegment(data, from - batch.start, this.head.subarray(this.headRows, this.headRows + (to - from)));
    this.headRows += to - from;
  }
}
