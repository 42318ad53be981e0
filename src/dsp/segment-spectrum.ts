/**
 * The Fourier transform of one segment, as welch, spectrogram and spectrum-average compute it:
 * detrend, window and rfft into scratch arrays reused for every segment, then its bins or raw
 * power, with one copy of each hot loop per typed-array kind.
 */
import type { TypedArray } from '../core/dtype.ts';
import type { DetrendMethod } from './detrend.ts';
import { detrendInPlace, sumInFourLanes } from './detrend.ts';
import type { FftPrecision } from './pffft.ts';
import { createRealTransform } from './pffft.ts';
import type { RealTransform } from './real-fft.ts';
import { RealFft } from './real-fft.ts';
import { readSegment } from './segments.ts';

/**
 * detrend → window → rfft(nfft) of one segment, and its raw power |X_k|², all in reused
 * scratch arrays: nothing is allocated per segment. For float input with constant or no
 * detrend, reading, detrending and windowing are one pass into the FFT's own input buffer
 * (the same float64 operations in the same order as detrendInPlace, so the same bits), or for
 * float32 input on the float64 radix-4 path none at all: the FFT's first pass reads the
 * segment and detrends and windows it (RealFft.runWindowed, the same bits again); power is
 * summed straight from the FFT's output. `re`/`im` hold the last transform's bins
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
      // Four partial sums, in detrendInPlace's order (sumInFourLanes), so the bits match it.
      mean = (data instanceof Float32Array ? sum4F32(data, offset, n) : sumInFourLanes(data, offset, n)) / n;
    }
    const { fft } = this;
    if (data instanceof Float32Array && fft instanceof RealFft && fft.runWindowed(data, offset, mean, w)) {
      this.afterRun();
      return;
    }
    const input = fft.input;
    if (input instanceof Float32Array) {
      if (data instanceof Float32Array) windowF32ToF32(data, offset, mean, w, input);
      else windowF64ToF32(data, offset, mean, w, input);
    } else if (data instanceof Float32Array) windowF32ToF64(data, offset, mean, w, input);
    else windowF64ToF64(data, offset, mean, w, input);
    this.run();
  }

  private run(): void {
    this.fft.run();
    this.afterRun();
  }

  private afterRun(): void {
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
// slower once float32 and float64 inputs had both passed through it). sum4F32 is
// sumInFourLanes (detrend.ts) for float32 input: the same adds in the same order.

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
