/**
 * The real FFT of one segment, in float64, with zero padding to any `nfft` ≥ 1. Powers of two
 * from 8 up take the usual route of a real FFT: the n real points read as n/2 complex ones
 * (even samples real, odd imaginary; the same memory), one complex FFT of n/2 points
 * (radix4-fft.ts), then one pass that splits it into the spectrum, or straight into the power
 * |X_k|² without storing the bins (welch). That is about half the work of a complex FFT of n
 * points and ~1.5× faster than fft.js's real transform at 4096 points. Other sizes (and 1, 2, 4) use fft.js:
 * Bluestein's chirp-z algorithm (bluestein.ts) on a power-of-two transform of size ≥
 * 2·nfft − 1 for the non-powers of two. Every path is exact in float64 to a few ulp of the
 * largest bin (the tests compare with a float64 DFT and with scipy's pocketfft), and every
 * scratch buffer is allocated once per instance: a transform allocates nothing per segment.
 */
import FFT from 'fft.js';
import { Bluestein } from './bluestein.ts';
import { Radix4Fft } from './radix4-fft.ts';
import { addSplitPower } from './split-power.ts';

/**
 * A real FFT of one fixed length, driven through its own segment buffer so that the caller
 * can fuse detrend and window into the copy (SegmentSpectrum): write the segment into
 * `input[0, n)`, call `run()`, then read power or the complex bins. `input[n, nfft)` must stay
 * zero (the padding); nothing here writes it except `transform`, which clears it.
 */
export interface RealTransform {
  readonly nfft: number;
  /** Bins of the one-sided spectrum: nfft/2 + 1 (floor). */
  readonly bins: number;
  /** The arithmetic: 'float64' (fft.js, exact) or 'float32' (pffft-wasm). */
  readonly precision: 'float64' | 'float32';
  /** The segment buffer, nfft long. A getter: a WASM heap view can move when memory grows. */
  readonly input: Float64Array | Float32Array;
  /** Transforms what `input` holds. */
  run(): void;
  /** Adds |X_k|² of the last run to `sum` (length `bins`). */
  addPowerTo(sum: Float64Array): void;
  /** Writes |X_k|² of the last run to `out`. */
  powerInto(out: Float64Array): void;
  /** Writes the bins of the last run to `re`, `im`; DC and Nyquist imaginary parts exactly 0. */
  unpack(re: Float64Array, im: Float64Array): void;
  /** `x` (length ≤ nfft, zero padded) → re/im; `x` is not modified. */
  transform(x: Float64Array, re: Float64Array, im: Float64Array): void;
  /** Releases native memory (a no-op for fft.js); the instance is unusable afterwards. */
  dispose(): void;
}

export class RealFft implements RealTransform {
  readonly bins: number;
  readonly precision = 'float64' as const;
  readonly input: Float64Array;
  /** The complex FFT of the packed input (powers of two ≥ 8), and its output Z, interleaved. */
  private readonly packed?: Radix4Fft;
  private readonly z: Float64Array;
  /** cos and sin of −2πk/nfft for k ≤ nfft/4: the twiddles of the split into the spectrum. */
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  /** The window runWindowed was last given, and it in the first pass's read order. */
  private windowSeen?: Float64Array;
  private windowRead: Float64Array = new Float64Array(0);
  /** fft.js, for the other sizes: straight (1, 2, 4) or under Bluestein's algorithm. */
  private readonly fft?: FFT;
  private readonly chirp?: Bluestein;
  /** fft.js's interleaved output; Bluestein's complex work array and its result bins. */
  private readonly output: Float64Array;
  private readonly work?: Float64Array;
  private readonly chirpRe?: Float64Array;
  private readonly chirpIm?: Float64Array;

  constructor(readonly nfft: number) {
    if (!Number.isSafeInteger(nfft) || nfft < 1)
      throw new RangeError(`nfft ${nfft} is not a positive integer`);
    this.bins = Math.floor(nfft / 2) + 1;
    this.input = new Float64Array(nfft);
    const isPow2 = (nfft & (nfft - 1)) === 0 && nfft >= 2;
    if (isPow2 && nfft >= 8) {
      this.packed = new Radix4Fft(nfft / 2);
      this.z = new Float64Array(nfft);
      const quarter = nfft / 4;
      this.splitCos = new Float64Array(quarter + 1);
      this.splitSin = new Float64Array(quarter + 1);
      for (let k = 0; k <= quarter; k++) {
        const angle = (-2 * Math.PI * k) / nfft;
        this.splitCos[k] = Math.cos(angle);
        this.splitSin[k] = Math.sin(angle);
      }
      // k = nfft/4 is a quarter turn: exactly −i (Math.cos gives 6e-17 for the 0).
      this.splitCos[quarter] = 0;
      this.splitSin[quarter] = -1;
      this.output = this.z;
      return;
    }
    this.z = this.splitCos = this.splitSin = new Float64Array(0);
    const size = isPow2 ? nfft : nextPow2(2 * nfft - 1);
    this.fft = new FFT(Math.max(size, 2));
    this.output = new Float64Array(Math.max(size, 2) * 2);
    if (!isPow2) {
      this.chirp = new Bluestein(nfft, this.fft, size);
      this.work = new Float64Array(2 * size);
      this.chirpRe = new Float64Array(this.bins);
      this.chirpIm = new Float64Array(this.bins);
    }
  }

  run(): void {
    if (this.packed) this.packed.transform(this.input, this.z);
    else if (this.chirp) {
      this.chirp.transform(this.input, this.chirpRe!, this.chirpIm!, this.bins, this.work!, this.output);
    } else {
      // realTransform fills bins 0..nfft/2 of the interleaved output, which is all we read.
      this.fft!.realTransform(this.output, this.input);
    }
  }

  /**
   * Transforms the float32 segment (d[offset + i] − mean)·window[i] without copying it into
   * `input` first, when the window spans nfft (no zero padding) on the radix-4 path: the same
   * bits as writing it into `input` and calling run(). Returns false (nothing done) otherwise.
   */
  runWindowed(d: Float32Array, offset: number, mean: number, window: Float64Array): boolean {
    if (!this.packed || window.length !== this.nfft) return false;
    if (window !== this.windowSeen) {
      this.windowSeen = window;
      this.windowRead = this.packed.windowInReadOrder(window);
    }
    this.packed.transformWindowed(d, offset, mean, this.windowRead, this.z);
    return true;
  }

  addPowerTo(sum: Float64Array): void {
    if (this.packed) {
      addSplitPower(this.z, this.splitCos, this.splitSin, sum);
      return;
    }
    if (this.chirp) {
      const re = this.chirpRe!;
      const im = this.chirpIm!;
      for (let k = 0; k < re.length; k++) sum[k] += re[k] * re[k] + im[k] * im[k];
      return;
    }
    // Straight from fft.js's interleaved output; DC and Nyquist are real (their im is taken
    // as exactly 0, as unpack does), so the sums equal those of the unpacked bins bit for bit.
    const out = this.output;
    const last = this.bins - 1;
    sum[0] += out[0] * out[0];
    for (let k = 1; k < last; k++) {
      const r = out[2 * k];
      const i = out[2 * k + 1];
      sum[k] += r * r + i * i;
    }
    sum[last] += out[2 * last] * out[2 * last];
  }

  powerInto(out: Float64Array): void {
    out.fill(0, 0, this.bins);
    this.addPowerTo(out);
  }

  unpack(re: Float64Array, im: Float64Array): void {
    if (this.packed) {
      unpackSplit(this.z, this.splitCos, this.splitSin, re, im);
      return;
    }
    if (this.chirp) {
      re.set(this.chirpRe!);
      im.set(this.chirpIm!);
      return;
    }
    const out = this.output;
    for (let k = 0; k < this.bins; k++) {
      re[k] = out[2 * k];
      im[k] = out[2 * k + 1];
    }
    // fft.js leaves DC and Nyquist imaginary parts as computed (±0); scipy gives exact 0.
    im[0] = 0;
    im[this.bins - 1] = 0;
  }

  transform(x: Float64Array, re: Float64Array, im: Float64Array): void {
    if (x.length > this.nfft) throw new RangeError(`segment of ${x.length} > nfft ${this.nfft}`);
    this.input.set(x);
    this.input.fill(0, x.length);
    this.run();
    this.unpack(re, im);
  }

  dispose(): void {}
}

/** The bins ½·2X_k from Z, as split-power.ts explains (the same operations, so the same bits). */

function unpackSplit(
  z: Float64Array,
  cos: Float64Array,
  sin: Float64Array,
  re: Float64Array,
  im: Float64Array,
): void {
  const m = z.length / 2;
  re[0] = z[0] + z[1];
  im[0] = 0;
  re[m] = z[0] - z[1];
  im[m] = 0;
  for (let k = 1, half = m / 2; k <= half; k++) {
    const a = z[2 * k];
    const b = z[2 * k + 1];
    const c = z[2 * (m - k)];
    const d = z[2 * (m - k) + 1];
    const er = a + c;
    const ei = b - d;
    const or = a - c;
    const oi = b + d;
    const tr = cos[k] * or - sin[k] * oi;
    const ti = cos[k] * oi + sin[k] * or;
    re[m - k] = 0.5 * (er - ti);
    im[m - k] = -0.5 * (ei + tr);
    re[k] = 0.5 * (er + ti);
    im[k] = 0.5 * (ei - tr);
  }
}

function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}
