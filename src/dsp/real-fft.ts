/**
 * The real FFT of one segment, in float64, with zero padding to any `nfft` ≥ 1. Powers of two
 * go straight to fft.js (radix-4, float64 twiddles). Other sizes use Bluestein's chirp-z
 * algorithm on a power-of-two fft.js transform of size ≥ 2·nfft − 1: exact in float64 to
 * a few ulp of the largest bin (the tests compare with scipy's pocketfft). Every scratch
 * buffer is allocated once per instance, so a transform allocates nothing per segment.
 */
import FFT from 'fft.js';

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
  private readonly fft: FFT;
  /** Interleaved complex output of fft.js (power-of-two sizes). */
  private readonly output: Float64Array;
  private readonly chirp?: Bluestein;
  /** Bluestein's complex work array, and its result bins. */
  private readonly work?: Float64Array;
  private readonly chirpRe?: Float64Array;
  private readonly chirpIm?: Float64Array;

  constructor(readonly nfft: number) {
    if (!Number.isSafeInteger(nfft) || nfft < 1)
      throw new RangeError(`nfft ${nfft} is not a positive integer`);
    this.bins = Math.floor(nfft / 2) + 1;
    const isPow2 = (nfft & (nfft - 1)) === 0 && nfft >= 2;
    const size = isPow2 ? nfft : nextPow2(2 * nfft - 1);
    this.fft = new FFT(Math.max(size, 2));
    this.input = new Float64Array(nfft);
    this.output = new Float64Array(Math.max(size, 2) * 2);
    if (!isPow2) {
      this.chirp = new Bluestein(nfft, this.fft, size);
      this.work = new Float64Array(2 * size);
      this.chirpRe = new Float64Array(this.bins);
      this.chirpIm = new Float64Array(this.bins);
    }
  }

  run(): void {
    if (this.chirp) {
      this.chirp.transform(this.input, this.chirpRe!, this.chirpIm!, this.bins, this.work!, this.output);
      return;
    }
    // realTransform fills bins 0..nfft/2 of the interleaved output, which is all we read.
    this.fft.realTransform(this.output, this.input);
  }

  addPowerTo(sum: Float64Array): void {
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

function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/**
 * X_k = w_k · Σ_n (x_n w_n) · conj(w_{k−n}) with w_n = exp(−iπ n²/N): a convolution done with
 * two power-of-two FFTs. n² is reduced modulo 2N before the angle is formed, so the chirp is
 * as accurate for n = 10⁶ as for n = 1.
 */
class Bluestein {
  /** cos and −sin of π n²/N, n < N: the chirp w_n. */
  private readonly wRe: Float64Array;
  private readonly wIm: Float64Array;
  /** The FFT of the conjugate chirp laid out circularly, interleaved complex. */
  private readonly kernel: Float64Array;
  private readonly product: Float64Array;

  constructor(
    private readonly n: number,
    private readonly fft: FFT,
    private readonly size: number,
  ) {
    this.wRe = new Float64Array(n);
    this.wIm = new Float64Array(n);
    const twoN = 2 * n;
    for (let j = 0; j < n; j++) {
      const r = Number((BigInt(j) * BigInt(j)) % BigInt(twoN));
      const angle = (Math.PI * r) / n;
      this.wRe[j] = Math.cos(angle);
      this.wIm[j] = -Math.sin(angle);
    }
    const b = new Float64Array(2 * size);
    for (let j = 0; j < n; j++) {
      b[2 * j] = this.wRe[j];
      b[2 * j + 1] = -this.wIm[j];
      if (j > 0) {
        b[2 * (size - j)] = this.wRe[j];
        b[2 * (size - j) + 1] = -this.wIm[j];
      }
    }
    this.kernel = new Float64Array(2 * size);
    fft.transform(this.kernel, b);
    this.product = new Float64Array(2 * size);
  }

  transform(
    x: Float64Array,
    re: Float64Array,
    im: Float64Array,
    bins: number,
    a: Float64Array,
    spectrum: Float64Array,
  ): void {
    const { wRe, wIm, kernel, product, size } = this;
    a.fill(0);
    for (let j = 0; j < x.length; j++) {
      a[2 * j] = x[j] * wRe[j];
      a[2 * j + 1] = x[j] * wIm[j];
    }
    this.fft.transform(spectrum, a);
    for (let k = 0; k < size; k++) {
      const ar = spectrum[2 * k];
      const ai = spectrum[2 * k + 1];
      const br = kernel[2 * k];
      const bi = kernel[2 * k + 1];
      product[2 * k] = ar * br - ai * bi;
      product[2 * k + 1] = ar * bi + ai * br;
    }
    this.fft.inverseTransform(spectrum, product);
    for (let k = 0; k < bins; k++) {
      const cr = spectrum[2 * k];
      const ci = spectrum[2 * k + 1];
      re[k] = cr * wRe[k] - ci * wIm[k];
      im[k] = cr * wIm[k] + ci * wRe[k];
    }
    im[0] = 0;
    if (this.n % 2 === 0) im[bins - 1] = 0;
  }
}
