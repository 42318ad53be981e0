/**
 * What the spectral stages share: which segments a batch owns (DESIGN.md §2), copying a
 * segment out of a column, detrending in place (scipy.signal.detrend), the periodogram of one
 * segment into reused scratch arrays, and scipy's scaling, one-sided doubling and median
 * bias (scipy/signal/_spectral_py.py `_spectral_helper`, `_median_bias`). The transforms and
 * the sinks (`psd`, `welch`, `spectrogram`) call the same code, so they agree bit for bit.
 */
import type { Batch } from '../core/batch.ts';
import type { TypedArray } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import type { FftPrecision } from './pffft.ts';
import { createRealTransform } from './pffft.ts';
import type { RealTransform } from './real-fft.ts';

export type DetrendMethod = 'constant' | 'linear' | 'none';
export type Scaling = 'density' | 'spectrum';
export type Average = 'mean' | 'median';

// ---------------------------------------------------------------------------------------
// Segments

export interface SegmentGeometry {
  /** Samples per segment (scipy's nperseg). */
  readonly length: number;
  /** Samples between segment starts (nperseg − noverlap). */
  readonly hop: number;
  /** Global row of segment 0's first sample (schema.origin ?? 0). */
  readonly origin: number;
}

/**
 * The segments whose last row is a new row of `batch`: k in [first, first + count). Segment k
 * covers global rows [origin + k·hop, origin + k·hop + length). A segment that reaches before
 * the batch's first row means the planner gave too little look-back: a bug, reported loudly.
 */
export function ownedSegments(
  batch: Pick<Batch, 'start' | 'rows' | 'history'>,
  g: SegmentGeometry,
): { first: number; count: number } {
  const newStart = batch.start + batch.history;
  const end = batch.start + batch.rows;
  const first = Math.max(0, Math.ceil((newStart - (g.length - 1) - g.origin) / g.hop));
  const last = Math.floor((end - g.length - g.origin) / g.hop);
  const count = Math.max(0, last - first + 1);
  if (count > 0 && g.origin + first * g.hop < batch.start) {
    throw new SluiceError('DATA_INVALID', `segment ${first} starts before its batch (too little look-back)`, {
      hint: `a segmenting stage needs ${g.length - 1} rows of history; check the stage's history()`,
    });
  }
  return { first, count };
}

/** Copies `out.length` values of a width-1 column from row `offset` into `out`, as float64. */
export function readSegment(data: TypedArray, offset: number, out: Float64Array): void {
  const n = out.length;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) out[i] = Number(data[offset + i]);
  } else if (data instanceof Float64Array) {
    out.set(data.subarray(offset, offset + n));
  } else {
    for (let i = 0; i < n; i++) out[i] = data[offset + i];
  }
}

/**
 * scipy.signal.detrend of one row, in place: `constant` removes the mean, `linear` the
 * least-squares line (fitted about the centre, which is what lstsq finds, without its
 * cancellation), `none` nothing.
 */
export function detrendInPlace(x: Float64Array, method: DetrendMethod): void {
  const n = x.length;
  if (method === 'none' || n === 0) return;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  if (method === 'constant' || n === 1) {
    for (let i = 0; i < n; i++) x[i] -= mean;
    return;
  }
  const centre = (n - 1) / 2;
  let sxy = 0;
  for (let i = 0; i < n; i++) sxy += (i - centre) * (x[i] - mean);
  // Σ (i − c)² over i < n is n(n² − 1)/12.
  const slope = sxy / ((n * (n * n - 1)) / 12);
  for (let i = 0; i < n; i++) x[i] -= mean + slope * (i - centre);
}

// ---------------------------------------------------------------------------------------
// Periodogram

/**
 * detrend → window → rfft(nfft) of one segment, and its raw power |X_k|², all in reused
 * scratch arrays: nothing is allocated per segment. For float input with constant or no
 * detrend, reading, detrending and windowing are one pass into the FFT's own input buffer
 * (the same float64 operations in the same order as detrendInPlace, so the same bits), and
 * power is summed straight from the FFT's output. `re`/`im` hold the last transform's bins
 * (callers may keep references to them across transforms) unless the spectrum is built with
 * `lazyBins`, for callers that only sum power (welch): then they are unpacked on access.
 */
export class SegmentSpectrum {
  readonly fft: RealTransform;
  /** The input of `transformScratch` (detrended and windowed in place by it). */
  readonly scratch: Float64Array;
  private readonly bufRe: Float64Array;
  private readonly bufIm: Float64Array;
  private unpacked = false;

  constructor(
    readonly window: Float64Array,
    readonly nfft: number,
    readonly detrend: DetrendMethod,
    precision: FftPrecision = 'float64',
    private readonly lazyBins = false,
  ) {
    if (nfft < window.length) throw new RangeError(`nfft ${nfft} < segment length ${window.length}`);
    this.fft = createRealTransform(nfft, precision);
    this.scratch = new Float64Array(window.length);
    this.bufRe = new Float64Array(this.fft.bins);
    this.bufIm = new Float64Array(this.fft.bins);
  }

  get bins(): number {
    return this.fft.bins;
  }

  /** Real parts of the last transform's bins. */
  get re(): Float64Array {
    this.unpack();
    return this.bufRe;
  }

  /** Imaginary parts of the last transform's bins (DC and Nyquist exactly 0). */
  get im(): Float64Array {
    this.unpack();
    return this.bufIm;
  }

  /** Transforms the segment starting at row `offset` of a width-1 column. */
  transformAt(data: TypedArray, offset: number): void {
    if (this.detrend === 'linear') {
      readSegment(data, offset, this.scratch);
      this.transformScratch();
    } else if (data instanceof Float32Array || data instanceof Float64Array) {
      this.fused(data, offset);
    } else {
      readSegment(data, offset, this.scratch);
      this.fused(this.scratch, 0);
    }
  }

  /** Transforms what `scratch` holds (it is detrended and windowed in place). */
  transformScratch(): void {
    const x = this.scratch;
    const w = this.window;
    detrendInPlace(x, this.detrend);
    const input = this.fft.input;
    for (let i = 0; i < x.length; i++) input[i] = x[i] *= w[i];
    this.run();
  }

  /** Adds |X_k|² of the last transform to `sum`. */
  addPowerTo(sum: Float64Array): void {
    this.fft.addPowerTo(sum);
  }

  /** Writes |X_k|² of the last transform to `out`. */
  powerInto(out: Float64Array): void {
    this.fft.powerInto(out);
  }

  /** Frees the FFT's native buffers (float32 path); the instance is unusable afterwards. */
  dispose(): void {
    this.fft.dispose();
  }

  /** Constant (or no) detrend and the window in one pass into the FFT's input. */
  private fused(data: Float32Array | Float64Array, offset: number): void {
    const w = this.window;
    const n = w.length;
    let mean = 0;
    if (this.detrend === 'constant') {
      // The float32 path need not match the float64 path's bits: four partial sums there.
      const float32 = this.fft.precision === 'float32';
      if (data instanceof Float32Array) mean = float32 ? sum4F32(data, offset, n) : sumF32(data, offset, n);
      else mean = float32 ? sum4F64(data, offset, n) : sumF64(data, offset, n);
      mean /= n;
    }
    const input = this.fft.input;
    if (input instanceof Float32Array) {
      if (data instanceof Float32Array) windowF32ToF32(data, offset, mean, w, input);
      else windowF64ToF32(data, offset, mean, w, input);
    } else if (data instanceof Float32Array) windowF32ToF64(data, offset, mean, w, input);
    else windowF64ToF64(data, offset, mean, w, input);
    this.run();
  }

  private run(): void {
    this.fft.run();
    this.unpacked = false;
    if (!this.lazyBins) this.unpack();
  }

  private unpack(): void {
    if (this.unpacked) return;
    this.fft.unpack(this.bufRe, this.bufIm);
    this.unpacked = true;
  }
}

// The hot loops, one copy per array-type combination so that every element access site
// sees a single typed-array kind (V8 keeps them monomorphic; a shared loop measured ~2×
// slower once float32 and float64 inputs had both passed through it). The serial sums add in
// detrendInPlace's order, so the float64 path keeps its bits; the 4-way sums (float32 FFT
// path only) break the add latency chain and differ by about an ulp.

function sumF32(x: Float32Array, o: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[o + i];
  return s;
}

function sumF64(x: Float64Array, o: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[o + i];
  return s;
}

function sum4F32(x: Float32Array, o: number, n: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a += x[o + i];
    b += x[o + i + 1];
    c += x[o + i + 2];
    d += x[o + i + 3];
  }
  for (; i < n; i++) a += x[o + i];
  return a + b + (c + d);
}

function sum4F64(x: Float64Array, o: number, n: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a += x[o + i];
    b += x[o + i + 1];
    c += x[o + i + 2];
    d += x[o + i + 3];
  }
  for (; i < n; i++) a += x[o + i];
  return a + b + (c + d);
}

function windowF32ToF64(x: Float32Array, o: number, mean: number, w: Float64Array, out: Float64Array): void {
  for (let i = 0; i < w.length; i++) out[i] = (x[o + i] - mean) * w[i];
}

function windowF64ToF64(x: Float64Array, o: number, mean: number, w: Float64Array, out: Float64Array): void {
  for (let i = 0; i < w.length; i++) out[i] = (x[o + i] - mean) * w[i];
}

function windowF32ToF32(x: Float32Array, o: number, mean: number, w: Float64Array, out: Float32Array): void {
  for (let i = 0; i < w.length; i++) out[i] = (x[o + i] - mean) * w[i];
}

function windowF64ToF32(x: Float64Array, o: number, mean: number, w: Float64Array, out: Float32Array): void {
  for (let i = 0; i < w.length; i++) out[i] = (x[o + i] - mean) * w[i];
}

/** scipy's scale: 1/(fs·Σw²) for density, 1/(Σw)² for spectrum. */
export function spectralScale(
  scaling: Scaling,
  sampleRate: number,
  sums: { sum: number; sumSquares: number },
): number {
  return scaling === 'density' ? 1 / (sampleRate * sums.sumSquares) : 1 / (sums.sum * sums.sum);
}

/** 2 for the one-sided bins that stand for two (not DC, not Nyquist of an even nfft), else 1. */
export function oneSidedFactor(k: number, nfft: number): number {
  if (k === 0) return 1;
  if (nfft % 2 === 0 && k === nfft / 2) return 1;
  return 2;
}

/** scipy's `_median_bias(n)`: the median of n periodograms over their mean, for χ²₂ bins. */
export function medianBias(n: number): number {
  let sum = 0;
  for (let i = 1; i <= Math.floor((n - 1) / 2); i++) sum += 1 / (2 * i + 1) - 1 / (2 * i);
  return 1 + sum;
}

/** rfftfreq(nfft, 1/fs). */
export function frequencies(nfft: number, sampleRate: number): number[] {
  const bins = Math.floor(nfft / 2) + 1;
  const val = 1 / (nfft * (1 / sampleRate)); // numpy's rfftfreq, operation for operation
  return Array.from({ length: bins }, (_, k) => k * val);
}

// ---------------------------------------------------------------------------------------
// What segment/window/fft tell the sinks after them, in schema.metadata

export const META = {
  segmentLength: 'spectral.segmentLength',
  hop: 'spectral.hop',
  detrend: 'spectral.detrend',
  window: 'spectral.window',
  windowSum: 'spectral.windowSum',
  windowSumSquares: 'spectral.windowSumSquares',
  nfft: 'spectral.nfft',
  fftOutput: 'spectral.fftOutput',
} as const;

/** A schema with extra metadata entries (numbers written so that they read back exactly). */
export function withMetadata(schema: Schema, entries: Record<string, string | number>): Schema {
  const metadata: Record<string, string> = { ...schema.metadata };
  for (const [key, value] of Object.entries(entries)) metadata[key] = String(value);
  return { ...schema, metadata };
}

export function metaNumber(schema: Schema, key: string): number | undefined {
  const text = schema.metadata?.[key];
  return text === undefined ? undefined : Number(text);
}
