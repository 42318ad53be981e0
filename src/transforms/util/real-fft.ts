/**
 * The real FFT of one segment, in float64, with zero padding to any `nfft` ≥ 1. Powers of two
 * go straight to fft.js (radix-4, float64 twiddles). Other sizes use Bluestein's chirp-z
 * algorithm on a power-of-two fft.js transform of size ≥ 2·nfft − 1: exact in float64 to
 * a few ulp of the largest bin (the tests compare with scipy's pocketfft). Every scratch
 * buffer is allocated once per instance, so a transform allocates nothing per segment.
 */
import FFT from 'fft.js';

export class RealFft {
  /** Bins of the one-sided spectrum: nfft/2 + 1 (floor). */
  readonly bins: number;
  private readonly fft: FFT;
  private readonly input: Float64Array;
  private readonly output: Float64Array;
  private readonly chirp?: Bluestein;

  constructor(readonly nfft: number) {
    if (!Number.isSafeInteger(nfft) || nfft < 1)
      throw new RangeError(`nfft ${nfft} is not a positive integer`);
    this.bins = Math.floor(nfft / 2) + 1;
    const isPow2 = (nfft & (nfft - 1)) === 0 && nfft >= 2;
    const size = isPow2 ? nfft : nextPow2(2 * nfft - 1);
    this.fft = new FFT(Math.max(size, 2));
    this.input = new Float64Array(Math.max(size, 2) * (isPow2 ? 1 : 2));
    this.output = new Float64Array(Math.max(size, 2) * 2);
    if (!isPow2) this.chirp = new Bluestein(nfft, this.fft, size);
  }

  /**
   * The one-sided spectrum of `x` (length ≤ nfft; zero padded) into `re` and `im` (length
   * `bins` each). `x` is not modified.
   */
  transform(x: Float64Array, re: Float64Array, im: Float64Array): void {
    if (x.length > this.nfft) throw new RangeError(`segment of ${x.length} > nfft ${this.nfft}`);
    if (this.chirp) {
      this.chirp.transform(x, re, im, this.bins, this.input, this.output);
      return;
    }
    if (this.nfft === 1) {
      re[0] = x.length ? x[0] : 0;
      im[0] = 0;
      return;
    }
    const input = this.input;
    input.set(x);
    input.fill(0, x.length);
    const out = this.output;
    this.fft.realTransform(out, input);
    for (let k = 0; k < this.bins; k++) {
      re[k] = out[2 * k];
      im[k] = out[2 * k + 1];
    }
    // fft.js leaves DC and Nyquist imaginary parts as computed (±0); scipy gives exact 0.
    im[0] = 0;
    if (this.nfft % 2 === 0) im[this.bins - 1] = 0;
  }
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
