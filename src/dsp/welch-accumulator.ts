/**
 * scipy.signal.welch over a stream, as an Accumulator (docs/design.md §3): every segment a batch
 * owns goes through detrend → window → rfft straight into a PsdAccumulator, and the rows before
 * the first full segment are kept for an input shorter than one segment.
 */
import type { Batch } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import type { Schema } from '../core/schema.ts';
import type { Accumulator } from '../core/stage.ts';
import type { FftPrecision } from './pffft.ts';
import type { PsdResult, PsdState } from './psd-accumulator.ts';
import { PsdAccumulator } from './psd-accumulator.ts';
import { SegmentSpectrum } from './segment-spectrum.ts';
import type { SegmentGeometry, SegmentSpectrumConfig } from './segments.ts';
import { checkSegmentParams, checkSpectrumMemory, keepHead, ownedSegments } from './segments.ts';
import type { Average } from './spectral-scaling.ts';
import { makeWindow, toWindowSpec, windowLabel, windowSums } from './windows.ts';

/** The welch sink's params, as scipy.signal.welch names them. */
export interface WelchConfig extends SegmentSpectrumConfig {
  readonly average: Average;
  readonly medianMemoryMiB: number;
  readonly fft: FftPrecision;
}

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
    private readonly p: WelchConfig,
    private readonly schema: Schema,
  ) {
    const nfft = p.nfft ?? p.nperseg;
    const noverlap = p.noverlap ?? Math.floor(p.nperseg / 2);
    checkSegmentParams(p.nperseg, noverlap, nfft, 'welch');
    checkSpectrumMemory(p.nperseg, nfft, 'welch'); // before anything below is allocated
    const spec = toWindowSpec(p.window);
    const window = makeWindow(spec, p.nperseg);
    // fft: float32 needs loadFloat32Fft() to have resolved in this thread (create does it).
    // lazyBins: only power is summed here, so the complex bins are never unpacked.
    this.spectrum = new SegmentSpectrum(window, nfft, p.detrend, p.fft, true);
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
    this.headRows = keepHead(batch, data, this.geometry.origin, this.head, this.headRows);
    const { first, count } = ownedSegments(batch, this.geometry);
    const { origin, hop } = this.geometry;
    for (let k = first; k < first + count; k++) {
      this.spectrum.transformAt(data, origin + k * hop - batch.start);
      this.psd.addSegment(this.spectrum, k);
    }
  }

  toState(): { psd: PsdState; head: Float64Array; headRows: number } {
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
}
