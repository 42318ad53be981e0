/**
 * scipy.signal.spectrogram over a stream: the time slices (one per segment) a batch owns,
 * computed into one block per batch, and scipy's answer for an input shorter than one segment.
 * Where the slices go (a .npy, a table) is the sink's business.
 */
import type { Batch } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import type { TypedArray } from '../core/dtype.ts';
import type { Schema } from '../core/schema.ts';
import type { FftPrecision } from './pffft.ts';
import { SegmentSpectrum } from './segment-spectrum.ts';
import type { SegmentGeometry, SegmentSpectrumConfig } from './segments.ts';
import { checkSegmentParams, checkSpectrumMemory, keepHead, ownedSegments } from './segments.ts';
import { oneSidedFactor, spectralScale } from './spectral-scaling.ts';
import { makeWindow, toWindowSpec, windowSums } from './windows.ts';

export type SpectrogramMode = 'psd' | 'magnitude' | 'complex';

/** Most doubles in one block of slices (64 MiB). */
export const BLOCK_VALUES = 2 ** 23;

/** The spectrogram sink's params, as scipy.signal.spectrogram names them. */
export interface SpectrogramConfig extends SegmentSpectrumConfig {
  readonly mode: SpectrogramMode;
  readonly db: boolean;
  readonly fft: FftPrecision;
}

/** `count` slices from slice `first`: times (s) and values (F each, or 2F interleaved for complex). */
export interface SliceBlock {
  readonly times: Float64Array;
  readonly block: Float64Array;
  readonly first: number;
  readonly count: number;
}

/** scipy's spectrogram default noverlap, nperseg // 8. */
export function spectrogramNoverlap(p: Pick<SpectrogramConfig, 'noverlap'>, nperseg: number): number {
  return p.noverlap ?? Math.floor(nperseg / 8);
}

/** Turns the last transform of `spectrum` into one time slice of Sxx (F doubles, or 2F for complex). */
export function sliceValues(
  spectrum: SegmentSpectrum,
  mode: SpectrogramMode,
  db: boolean,
  scale: number,
  out: Float64Array,
): void {
  const { re, im } = spectrum;
  const nfft = spectrum.nfft;
  if (mode === 'complex') {
    const s = Math.sqrt(scale);
    for (let k = 0; k < re.length; k++) {
      out[2 * k] = re[k] * s;
      out[2 * k + 1] = im[k] * s;
    }
    return;
  }
  if (mode === 'magnitude') {
    const s = Math.sqrt(scale);
    for (let k = 0; k < re.length; k++) {
      const v = Math.hypot(re[k] * s, im[k] * s);
      out[k] = db ? 20 * Math.log10(v) : v;
    }
    return;
  }
  for (let k = 0; k < re.length; k++) {
    const v = (re[k] * re[k] + im[k] * im[k]) * scale * oneSidedFactor(k, nfft);
    out[k] = db ? 10 * Math.log10(v) : v;
  }
}

/**
 * The slices of a signal, batch by batch. Holds the segment's FFT (native buffers with fft:
 * float32, freed by dispose) and the first nperseg − 1 rows, for an input shorter than one
 * segment (scipy then uses its length).
 */
export class SpectrogramSlicer {
  /** Slices computed so far. */
  slices = 0;
  private spectrum: SegmentSpectrum;
  private geometry: SegmentGeometry;
  private scale: number;
  private readonly head: Float64Array;
  private headRows = 0;

  constructor(
    private readonly p: SpectrogramConfig,
    private readonly schema: Schema,
  ) {
    // configure checks nperseg and nfft (and the memory they take) before the head is allocated.
    ({ spectrum: this.spectrum, geometry: this.geometry, scale: this.scale } = this.configure(p.nperseg));
    this.head = new Float64Array(p.nperseg - 1);
  }

  /** The segment length in use: nperseg, or the input's length once it proved shorter. */
  get nperseg(): number {
    return this.geometry.length;
  }

  get bins(): number {
    return this.spectrum.bins;
  }

  get nfft(): number {
    return this.spectrum.nfft;
  }

  /** scipy's `t`: segment centres in seconds, first + i·step for i < slices. */
  get times(): { readonly first: number; readonly step: number; readonly count: number } {
    const fs = this.schema.sampleRate ?? 1;
    const { length, hop } = this.geometry;
    return { first: length / 2 / fs, step: hop / fs, count: this.slices };
  }

  /** The slices `batch` owns, in one block; undefined when it owns none. */
  add(batch: Batch): SliceBlock | undefined {
    const { data, first, count } = this.owned(batch);
    return count === 0 ? undefined : this.compute(data, batch.start, first, count);
  }

  /**
   * The slices `batch` owns, in blocks of at most BLOCK_VALUES values (one slice at least), so
   * that a batch of many slices of a long FFT never needs one huge array.
   */
  *blocks(batch: Batch): Generator<SliceBlock, void, undefined> {
    const { data, first, count } = this.owned(batch);
    const perBlock = Math.max(1, Math.floor(BLOCK_VALUES / this.sliceValues));
    for (let k = first; k < first + count; k += perBlock) {
      yield this.compute(data, batch.start, k, Math.min(perBlock, first + count - k));
    }
  }

  /** Keeps the head rows of `batch` and says which slices it owns. */
  private owned(batch: Batch): { data: TypedArray; first: number; count: number } {
    const { data } = getColumn(batch, this.p.column);
    this.headRows = keepHead(batch, data, this.geometry.origin, this.head, this.headRows);
    return { data, ...ownedSegments(batch, this.geometry) };
  }

  /** Doubles per slice: F, or 2F interleaved for complex. */
  private get sliceValues(): number {
    return this.p.mode === 'complex' ? 2 * this.spectrum.bins : this.spectrum.bins;
  }

  /** Slices [first, first + count) from a batch column starting at global row `start`. */
  private compute(data: TypedArray, start: number, first: number, count: number): SliceBlock {
    const values = this.sliceValues;
    const block = new Float64Array(count * values); // one write per block, not per segment
    const times = new Float64Array(count);
    const { origin, hop, length } = this.geometry;
    const fs = this.schema.sampleRate ?? 1;
    for (let i = 0; i < count; i++) {
      this.spectrum.transformAt(data, origin + (first + i) * hop - start);
      sliceValues(
        this.spectrum,
        this.p.mode,
        this.p.db,
        this.scale,
        block.subarray(i * values, (i + 1) * values),
      );
      // scipy: np.arange(nperseg/2, len - nperseg/2 + 1, hop) / fs, term for term.
      times[i] = (length / 2 + (first + i) * hop) / fs;
    }
    this.slices += count;
    return { times, block, first, count };
  }

  /**
   * For an input shorter than one segment, once it has all been added: switches to nperseg =
   * its length, as scipy, and returns its one slice (the output restarts with the new bins).
   * Undefined for any other input.
   */
  shortInputSlice(): SliceBlock | undefined {
    if (this.slices > 0 || this.headRows === 0) return undefined;
    this.spectrum.dispose();
    ({ spectrum: this.spectrum, geometry: this.geometry, scale: this.scale } = this.configure(this.headRows));
    const head = this.head.subarray(0, this.headRows);
    return this.add({
      schema: this.schema,
      columns: { [this.p.column]: { data: head, width: 1 } },
      rows: head.length,
      start: this.geometry.origin,
      history: 0,
    });
  }

  /** Frees the FFT's native buffers (fft: float32). */
  dispose(): void {
    this.spectrum.dispose();
  }

  private configure(nperseg: number): {
    spectrum: SegmentSpectrum;
    geometry: SegmentGeometry;
    scale: number;
  } {
    const { p } = this;
    const noverlap = spectrogramNoverlap(p, nperseg);
    const nfft = p.nfft ?? nperseg;
    checkSegmentParams(nperseg, noverlap, nfft, 'spectrogram');
    checkSpectrumMemory(nperseg, nfft, 'spectrogram');
    const window = makeWindow(toWindowSpec(p.window), nperseg);
    const spectrum = new SegmentSpectrum(window, nfft, p.detrend, p.fft);
    const scale = spectralScale(p.scaling, this.schema.sampleRate ?? 1, windowSums(window));
    return {
      spectrum,
      geometry: { length: nperseg, hop: nperseg - noverlap, origin: this.schema.origin ?? 0 },
      scale,
    };
  }
}
