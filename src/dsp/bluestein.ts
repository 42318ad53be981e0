/**
 * The DFT of any length n by Bluestein's chirp-z algorithm: a circular convolution done with
 * power-of-two fft.js transforms of size ≥ 2n − 1. The real FFT (real-fft.ts) uses it for the
 * sizes that are not powers of two.
 */
import type FFT from 'fft.js';

/**
 * X_k = w_k · Σ_n (x_n w_n) · conj(w_{k−n}) with w_n = exp(−iπ n²/N): a convolution done with
 * two power-of-two FFTs. n² is reduced modulo 2N before the angle is formed, so the chirp is
 * as accurate for n = 10⁶ as for n = 1.
 */
export class Bluestein {
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
