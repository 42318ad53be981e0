/**
 * The complex FFT of m = 2^p ≥ 4 points in float64 that the real FFT (real-fft.ts) runs on
 * every segment: radix-2² decimation in time, interleaved (re, im) Float64Arrays. The first
 * pass reads the input in bit-reversed order and does the butterflies of 8 points (p odd) or
 * 4 (p even), which need no twiddle table, so there is neither a permutation pass nor a
 * radix-2 pass; then radix-4 passes with precomputed twiddles (cos and sin of exact angles
 * from Math.cos/Math.sin, a table per pass, read in order). For m = 2048 (nfft 4096) that is
 * 5 passes over the data. Nothing is allocated per transform.
 */
import {
  firstPass4,
  firstPass4Windowed,
  firstPass8,
  firstPass8Windowed,
  windowInReadOrder,
} from './fft-first-pass.ts';

export class Radix4Fft {
  /** Points per first-pass butterfly: 8 when p is odd, 4 when even. */
  private readonly first: number;
  /** Bit-reversed index (of 2^p) of every `first`th point: where each first-pass butterfly reads. */
  private readonly reversed: Int32Array;
  /** Per radix-4 pass of quarter length L (first, 4·first, …): W^k, W^2k, W^3k for k < L, (cos, sin). */
  private readonly twiddles: Float64Array;

  constructor(readonly m: number) {
    const bits = Math.log2(m);
    if (!Number.isInteger(bits) || bits < 2)
      throw new RangeError(`radix-4 FFT: ${m} is not a power of two ≥ 4`);
    this.first = bits % 2 === 1 ? 8 : 4;
    this.reversed = new Int32Array(m / this.first);
    for (let j = 0; j < this.reversed.length; j++) this.reversed[j] = reverseBits(this.first * j, bits);
    let total = 0;
    for (let quarter = this.first; quarter < m; quarter *= 4) total += 6 * quarter;
    this.twiddles = new Float64Array(total);
    let o = 0;
    for (let quarter = this.first; quarter < m; quarter *= 4) {
      for (let k = 0; k < quarter; k++) {
        for (let t = 1; t <= 3; t++) {
          const angle = (-2 * Math.PI * t * k) / (4 * quarter);
          this.twiddles[o++] = Math.cos(angle);
          this.twiddles[o++] = Math.sin(angle);
        }
      }
    }
  }

  /** out = DFT(x): both interleaved, 2m doubles, natural order; x is not modified. */
  transform(x: Float64Array, out: Float64Array): void {
    const { m } = this;
    if (this.first === 8) firstPass8(x, out, this.reversed, m);
    else firstPass4(x, out, this.reversed, m);
    this.radix4Passes(out);
  }

  /** A window of 2m values in the order transformWindowed reads it. */
  windowInReadOrder(w: Float64Array): Float64Array {
    return windowInReadOrder(w, this.reversed, this.first, this.m);
  }

  /**
   * out = DFT of the points (d[off + i] − mean)·w[i], i < 2m, read as m complex points: a
   * float32 segment detrended and windowed on the way in (fft-first-pass.ts), the same bits
   * as transform() of the windowed copy. `w` is the window in read order (windowInReadOrder).
   */
  transformWindowed(d: Float32Array, off: number, mean: number, w: Float64Array, out: Float64Array): void {
    const { m } = this;
    if (this.first === 8) firstPass8Windowed(d, off, mean, w, out, this.reversed, m);
    else firstPass4Windowed(d, off, mean, w, out, this.reversed, m);
    this.radix4Passes(out);
  }

  private radix4Passes(out: Float64Array): void {
    const { m } = this;
    let t = 0;
    for (let quarter = this.first; quarter < m; quarter *= 4) {
      // Few long runs of blocks in the early passes, few blocks of long runs later: the loop
      // that repeats each twiddle outside keeps the inner loop long either way.
      if (quarter < 64) radix4PassByTwiddle(out, this.twiddles, t, quarter, m);
      else radix4PassByBlock(out, this.twiddles, t, quarter, m);
      t += 6 * quarter;
    }
  }
}

// The butterfly of four length-L DFTs A, B, C, D of the points ≡ 0, 1, 2, 3 (mod 4): with base-2
// bit reversal C sits in the second quarter and B in the third, and with W = exp(−2πi/4L)
//   Y[k] = (A + W²ᵏC) + (Wᵏ B + W³ᵏD),   Y[k + 2L] = (A + W²ᵏC) − (Wᵏ B + W³ᵏD),
//   Y[k + L] = (A − W²ᵏC) − i(Wᵏ B − W³ᵏD),   Y[k + 3L] = (A − W²ᵏC) + i(Wᵏ B − W³ᵏD).

/** One radix-4 pass, each twiddle loaded once (outer loop) for every block (inner loop). */
function radix4PassByTwiddle(
  z: Float64Array,
  tw: Float64Array,
  t0: number,
  quarter: number,
  m: number,
): void {
  const q = 2 * quarter;
  const span = 8 * quarter;
  const end = 2 * m;
  for (let k = 0; k < quarter; k++) {
    const t = t0 + 6 * k;
    const w1r = tw[t];
    const w1i = tw[t + 1];
    const w2r = tw[t + 2];
    const w2i = tw[t + 3];
    const w3r = tw[t + 4];
    const w3i = tw[t + 5];
    for (let i0 = 2 * k; i0 < end; i0 += span) {
      butterfly(z, i0, q, w1r, w1i, w2r, w2i, w3r, w3i);
    }
  }
}

/** One radix-4 pass, block by block, the twiddles read in order within each block. */
function radix4PassByBlock(z: Float64Array, tw: Float64Array, t0: number, quarter: number, m: number): void {
  const q = 2 * quarter;
  const span = 8 * quarter;
  const end = 2 * m;
  for (let base = 0; base < end; base += span) {
    for (let k = 0, t = t0; k < q; k += 2, t += 6) {
      butterfly(z, base + k, q, tw[t], tw[t + 1], tw[t + 2], tw[t + 3], tw[t + 4], tw[t + 5]);
    }
  }
}

/** The butterfly at i0 with quarters q doubles apart (V8 inlines it into both passes). */
function butterfly(
  z: Float64Array,
  i0: number,
  q: number,
  w1r: number,
  w1i: number,
  w2r: number,
  w2i: number,
  w3r: number,
  w3i: number,
): void {
  const i1 = i0 + q;
  const i2 = i1 + q;
  const i3 = i2 + q;
  const ar = z[i0];
  const ai = z[i0 + 1];
  const xr = z[i1];
  const xi = z[i1 + 1];
  const cr = xr * w2r - xi * w2i;
  const ci = xr * w2i + xi * w2r;
  const yr = z[i2];
  const yi = z[i2 + 1];
  const br = yr * w1r - yi * w1i;
  const bi = yr * w1i + yi * w1r;
  const ur = z[i3];
  const ui = z[i3 + 1];
  const dr = ur * w3r - ui * w3i;
  const di = ur * w3i + ui * w3r;
  const s0r = ar + cr;
  const s0i = ai + ci;
  const d0r = ar - cr;
  const d0i = ai - ci;
  const s1r = br + dr;
  const s1i = bi + di;
  const d1r = br - dr;
  const d1i = bi - di;
  z[i0] = s0r + s1r;
  z[i0 + 1] = s0i + s1i;
  z[i1] = d0r + d1i;
  z[i1 + 1] = d0i - d1r;
  z[i2] = s0r - s1r;
  z[i2 + 1] = s0i - s1i;
  z[i3] = d0r - d1i;
  z[i3 + 1] = d0i + d1r;
}

function reverseBits(value: number, bits: number): number {
  let reversed = 0;
  for (let i = 0, v = value; i < bits; i++, v >>= 1) reversed = (reversed << 1) | (v & 1);
  return reversed;
}
