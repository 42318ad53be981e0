/**
 * TraceKit's `chunked_fft` (tracekit 0.3.1, src/tracekit/streaming/chunked.py) as an
 * Accumulator: the same segments, window, normalisation and dB result, in one pass over a
 * signal of any length, identical for every batch size and for merged shards: the magnitude
 * sums are kept in blocks of 16 segments aligned to the segment index (BlockSumVector: float64
 * within a block, exact across blocks) and rounded once, so no split or merge order changes a bit.
 */
import type { Batch } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import type { TypedArray } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import type { Accumulator } from '../core/stage.ts';
import type { BlockSumVectorState } from '../stats/block-sum-vector.ts';
import { BlockSumVector } from '../stats/block-sum-vector.ts';
import { SegmentSpectrum } from './segment-spectrum.ts';
import type { SegmentGeometry } from './segments.ts';
import { checkFftLength, checkSpectrumMemory, ownedSegments, readSegment } from './segments.ts';
import { frequencies } from './spectral-scaling.ts';
import type { WindowSpec } from './windows.ts';
import { makeWindow, windowSums } from './windows.ts';

const STAGE = 'spectrum-average';

/**
 * TraceKit's window names (tracekit.utils.windowing.WINDOW_FUNCTIONS) and the scipy window
 * each one is: TraceKit builds them with numpy's symmetric np.hanning/np.hamming/… (kaiser
 * with beta 8.6), i.e. scipy's `sym=True` form, so the shared window code serves.
 */
export const TRACEKIT_WINDOWS = {
  rectangular: { name: 'boxcar' },
  boxcar: { name: 'boxcar' },
  rect: { name: 'boxcar' },
  hann: { name: 'hann' },
  hanning: { name: 'hann' },
  hamming: { name: 'hamming' },
  blackman: { name: 'blackman' },
  kaiser: { name: 'kaiser', beta: 8.6 },
  flattop: { name: 'flattop' },
  flat_top: { name: 'flattop' },
  bartlett: { name: 'bartlett' },
  triangular: { name: 'bartlett' },
  blackman_harris: { name: 'blackmanharris' },
  blackmanharris: { name: 'blackmanharris' },
} as const satisfies Record<string, WindowSpec>;
export type TraceKitWindow = keyof typeof TRACEKIT_WINDOWS;

/** The spectrum-average sink's params, by TraceKit's names. */
export interface SpectrumAverageConfig {
  readonly column: string;
  /** Samples per segment. */
  readonly chunkSize: number;
  /** Overlap between segments, in percent. */
  readonly overlap: number;
  readonly window: TraceKitWindow;
  /** Default: the next power of two ≥ chunkSize. */
  readonly nfft?: number;
}

export interface SpectrumAverageResult {
  readonly frequencies: number[];
  readonly magnitudeDb: number[];
  /** Segments averaged (1 for a signal no longer than chunkSize; 0 for an empty one). */
  readonly segments: number;
  readonly nfft: number;
  readonly window: string;
}

/** Segment geometry as TraceKit derives it from chunk_size and the overlap percentage. */
export function segmentGeometry(chunkSize: number, overlapPercent: number): { hop: number; overlap: number } {
  const overlap = Math.trunc((chunkSize * overlapPercent) / 100.0);
  return { hop: chunkSize - overlap, overlap };
}

/** `int(2 ** ceil(log2(n)))`, numpy's default nfft in chunked_fft. */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Sums of |rfft| per bin over the segments whose last row is among a batch's new rows
 * (docs/design.md §2), plus the rows themselves while there are at most chunkSize of them, for
 * TraceKit's single-FFT case (kept as pieces by global row, so shards merge in any order).
 */
export class SpectrumAverageAccumulator implements Accumulator<SpectrumAverageResult> {
  readonly geometry: SegmentGeometry;
  readonly nfft: number;
  /** Σ over segments of |X_k| / divisor, exactly; absent until the first segment. */
  sums?: BlockSumVector;
  /** One segment's |X_k| / divisor. */
  private row = new Float64Array(0);
  segments = 0;
  /** New rows seen (the signal length once every batch, or shard, is in). */
  rows = 0;
  private readonly sampleRate: number;
  private readonly column: string;
  private readonly windowName: TraceKitWindow;
  /** TraceKit's divisor of the chunkSize window; set with the spectrum. */
  private divisor = 1;
  private readonly explicitNfft?: number;
  private spectrum?: SegmentSpectrum;
  /** Rows seen, by global start row, while rows ≤ chunkSize; null beyond. */
  private pieces: SignalPiece[] | null = [];

  constructor(p: SpectrumAverageConfig, schema: Schema) {
    this.geometry = {
      length: p.chunkSize,
      hop: segmentGeometry(p.chunkSize, p.overlap).hop,
      origin: schema.origin ?? 0,
    };
    this.explicitNfft = p.nfft;
    this.nfft = p.nfft ?? nextPowerOfTwo(p.chunkSize);
    this.sampleRate = schema.sampleRate ?? 1;
    this.column = p.column;
    this.windowName = p.window;
    // Nothing of chunkSize or nfft is allocated here: a signal no longer than chunkSize never
    // needs the chunkSize window nor the nfft transform (checkInput, add).
  }

  /**
   * Refuses, before the run, params whose buffers would not fit (checkSpectrumMemory) for an
   * input of `rows` rows, when the sink knows it: TraceKit's single FFT of the whole signal for
   * rows ≤ chunkSize, the chunkSize segments otherwise. `add` checks again before allocating.
   */
  checkInput(rows: number | undefined): void {
    if (this.explicitNfft !== undefined) checkFftLength(1, this.explicitNfft, STAGE, 'chunkSize');
    if (rows === undefined || rows === 0) return;
    if (rows <= this.geometry.length) {
      checkSpectrumMemory(rows, this.explicitNfft ?? nextPowerOfTwo(rows), STAGE, {
        extraBytes: 8 * rows,
        segmentName: 'chunkSize',
      });
    } else {
      checkSpectrumMemory(this.geometry.length, this.nfft, STAGE, {
        extraBytes: 8 * this.geometry.length,
        segmentName: 'chunkSize',
      });
    }
  }

  add(batch: Batch): void {
    const { data } = getColumn(batch, this.column);
    this.keepPiece(batch, data);
    this.rows += batch.rows - batch.history;
    const { first, count } = ownedSegments(batch, this.geometry);
    if (count === 0) return;
    // Built on first use: a short signal (TraceKit's single-FFT case) never needs it.
    const spectrum = this.spectrum ?? this.startSegments();
    const { row, divisor } = this;
    const sums = this.sums ?? (this.sums = new BlockSumVector(row.length));
    const { re, im } = spectrum;
    for (let k = first; k < first + count; k++) {
      spectrum.transformAt(data, this.geometry.origin + k * this.geometry.hop - batch.start);
      for (let j = 0; j < row.length; j++) row[j] = Math.sqrt(re[j] * re[j] + im[j] * im[j]) / divisor;
      sums.add(k, row);
    }
    this.segments += count;
  }

  /** What a worker thread sends back: plain data that `merge` takes in place of an instance. */
  toState(): SpectrumAverageState {
    const { geometry, nfft, segments, rows, pieces } = this;
    return { geometry, nfft, segments, rows, pieces, sums: this.sums?.toState() };
  }

  /** Folds in another shard of the same signal, or its toState() (any order: sums are exact). */
  merge(accumulator: SpectrumAverageAccumulator): void {
    const other: SpectrumAverageAccumulator | SpectrumAverageState = accumulator;
    const g = this.geometry;
    const o = other.geometry;
    if (o.length !== g.length || o.hop !== g.hop || o.origin !== g.origin || other.nfft !== this.nfft) {
      throw new SluiceError(
        'PARAMS_INVALID',
        'spectrum-average: cannot merge accumulators of different params',
        {
          hint: 'every shard must use the same chunkSize, overlap, nfft and origin',
        },
      );
    }
    if (other.sums) {
      this.sums ??= new BlockSumVector(other.sums.lanes);
      this.sums.merge(other.sums);
    }
    this.segments += other.segments;
    this.rows += other.rows;
    this.pieces =
      this.pieces && other.pieces && this.rows <= g.length ? [...this.pieces, ...other.pieces] : null;
  }

  result(): SpectrumAverageResult {
    const window = this.windowName;
    if (this.rows === 0) return { frequencies: [], magnitudeDb: [], segments: 0, nfft: 0, window };
    if (this.rows <= this.geometry.length) return this.singleSpectrum();
    return {
      frequencies: frequencies(this.nfft, this.sampleRate),
      magnitudeDb: Array.from(this.sums?.sums() ?? [], (sum) => toDb(sum / this.segments)),
      segments: this.segments,
      nfft: this.nfft,
      window,
    };
  }

  /** TraceKit's n ≤ chunk_size branch: one FFT of the whole signal, window of its length, mean kept. */
  private singleSpectrum(): SpectrumAverageResult {
    if (!this.pieces)
      throw new SluiceError('ROWS_MISMATCH', 'spectrum-average: the short signal was not kept');
    const n = this.rows;
    const nfft = this.explicitNfft ?? nextPowerOfTwo(n);
    checkSpectrumMemory(n, nfft, STAGE, { extraBytes: 8 * n, segmentName: 'chunkSize' });
    const data = new Float64Array(n);
    for (const piece of this.pieces) data.set(piece.data, piece.start - this.geometry.origin);
    const w = makeWindow(TRACEKIT_WINDOWS[this.windowName], n, true);
    const spectrum = new SegmentSpectrum(w, nfft, 'none');
    spectrum.scratch.set(data);
    spectrum.transformScratch();
    const divisor = coherentDivisor(w);
    const { re, im } = spectrum;
    return {
      frequencies: frequencies(nfft, this.sampleRate),
      magnitudeDb: Array.from(re, (r, k) => toDb(Math.sqrt(r * r + im[k] * im[k]) / divisor)),
      segments: 1,
      nfft,
      window: this.windowName,
    };
  }

  /** The chunkSize window's spectrum and the sums, checked then allocated at the first segment. */
  private startSegments(): SegmentSpectrum {
    checkSpectrumMemory(this.geometry.length, this.nfft, STAGE, {
      extraBytes: 8 * this.geometry.length,
      segmentName: 'chunkSize',
    });
    const window = makeWindow(TRACEKIT_WINDOWS[this.windowName], this.geometry.length, true);
    this.spectrum = new SegmentSpectrum(window, this.nfft, 'constant');
    this.divisor = coherentDivisor(window);
    this.row = new Float64Array(Math.floor(this.nfft / 2) + 1);
    return this.spectrum;
  }

  private keepPiece(batch: Batch, data: TypedArray): void {
    if (!this.pieces) return;
    const fresh = batch.rows - batch.history;
    if (this.rows + fresh > this.geometry.length) {
      this.pieces = null;
      return;
    }
    const piece = new Float64Array(fresh);
    readSegment(data, batch.history, piece);
    this.pieces.push({ start: batch.start + batch.history, data: piece });
  }
}

/** Rows of a short signal, by global start row. */
interface SignalPiece {
  readonly start: number;
  readonly data: Float64Array;
}

/** A SpectrumAverageAccumulator as plain, structured-cloneable data. */
export interface SpectrumAverageState {
  readonly geometry: SegmentGeometry;
  readonly nfft: number;
  readonly segments: number;
  readonly rows: number;
  readonly pieces: readonly SignalPiece[] | null;
  readonly sums?: BlockSumVectorState;
}

/** TraceKit's `n * window_gain` with `window_gain = Σw / n`, operation for operation. */
export function coherentDivisor(w: Float64Array): number {
  const n = w.length;
  return n * (windowSums(w).sum / n);
}

/** 20·log10 of a magnitude, floored at 1e-20 as TraceKit does (so never -Infinity). */
export function toDb(magnitude: number): number {
  return 20 * Math.log10(Math.max(magnitude, 1e-20));
}
