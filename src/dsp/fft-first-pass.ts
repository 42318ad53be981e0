/**
 * The first pass of the radix-4 FFT (radix4-fft.ts): it reads the input in bit-reversed order
 * and does the butterflies of 4 or 8 points, which need no twiddle table. Butterfly j reads the
 * points rev(first·j) + offset[t], t < first, where offset[t] is t's bit reversal scaled to
 * the top bits (for 8: 0, m/2, m/4, 3m/4, m/8, 5m/8, 3m/8, 7m/8).
 *
 * The Windowed copies read a float32 signal straight from its batch and detrend and window it
 * on the way, (x − mean)·w: the same operations as SegmentSpectrum's copy into the FFT's
 * input, so the same bits, without that pass over the segment. Their window comes in read
 * order (windowInReadOrder), so only the signal is read out of order. One copy per array type
 * keeps each element access monomorphic (V8).
 */

/** The points of butterfly t (< first) of every group lie offsets[t] doubles after 2·rev(j). */
export function readOffsets(first: number, m: number): Int32Array {
  const offsets = new Int32Array(first);
  const bits = Math.log2(first);
  for (let t = 0; t < first; t++) {
    let reversed = 0;
    for (let b = 0, v = t; b < bits; b++, v >>= 1) reversed = (reversed << 1) | (v & 1);
    offsets[t] = (2 * reversed * m) / first;
  }
  return offsets;
}

/** w (2m values, natural order) laid out in the order the windowed first pass reads it. */
export function windowInReadOrder(
  w: Float64Array,
  reversed: Int32Array,
  first: number,
  m: number,
): Float64Array {
  const offsets = readOffsets(first, m);
  const out = new Float64Array(2 * m);
  let o = 0;
  for (let j = 0; j < reversed.length; j++) {
    for (let t = 0; t < first; t++) {
      const at = 2 * reversed[j] + offsets[t];
      out[o++] = w[at];
      out[o++] = w[at + 1];
    }
  }
  return out;
}

// The radix-4 butterfly with L = 1: with base-2 bit reversal the points ≡ 2 (mod 4) of the
// sub-sequence come second and those ≡ 1 third, so with (p0, p1, p2, p3) read in that order
//   Y0 = (p0 + p1) + (p2 + p3),  Y2 = (p0 + p1) − (p2 + p3),
//   Y1 = (p0 − p1) − i(p2 − p3),  Y3 = (p0 − p1) + i(p2 − p3).

export function firstPass4(x: Float64Array, z: Float64Array, reversed: Int32Array, m: number): void {
  const e = m / 2; // doubles per m/4 points
  for (let j = 0, groups = reversed.length; j < groups; j++) {
    const r = 2 * reversed[j];
    const p0r = x[r];
    const p0i = x[r + 1];
    const p1r = x[r + 2 * e];
    const p1i = x[r + 2 * e + 1];
    const p2r = x[r + e];
    const p2i = x[r + e + 1];
    const p3r = x[r + 3 * e];
    const p3i = x[r + 3 * e + 1];
    butterfly4(z, 8 * j, p0r, p0i, p1r, p1i, p2r, p2i, p3r, p3i);
  }
}

export function firstPass4Windowed(
  d: Float32Array,
  off: number,
  mean: number,
  w: Float64Array,
  z: Float64Array,
  reversed: Int32Array,
  m: number,
): void {
  const e = m / 2;
  for (let j = 0, groups = reversed.length; j < groups; j++) {
    const r = off + 2 * reversed[j];
    const o = 8 * j;
    const p0r = (d[r] - mean) * w[o];
    const p0i = (d[r + 1] - mean) * w[o + 1];
    const p1r = (d[r + 2 * e] - mean) * w[o + 2];
    const p1i = (d[r + 2 * e + 1] - mean) * w[o + 3];
    const p2r = (d[r + e] - mean) * w[o + 4];
    const p2i = (d[r + e + 1] - mean) * w[o + 5];
    const p3r = (d[r + 3 * e] - mean) * w[o + 6];
    const p3i = (d[r + 3 * e + 1] - mean) * w[o + 7];
    butterfly4(z, o, p0r, p0i, p1r, p1i, p2r, p2i, p3r, p3i);
  }
}

function butterfly4(
  z: Float64Array,
  o: number,
  p0r: number,
  p0i: number,
  p1r: number,
  p1i: number,
  p2r: number,
  p2i: number,
  p3r: number,
  p3i: number,
): void {
  const s0r = p0r + p1r;
  const s0i = p0i + p1i;
  const d0r = p0r - p1r;
  const d0i = p0i - p1i;
  const s1r = p2r + p3r;
  const s1i = p2i + p3i;
  const d1r = p2r - p3r;
  const d1i = p2i - p3i;
  z[o] = s0r + s1r;
  z[o + 1] = s0i + s1i;
  z[o + 2] = d0r + d1i;
  z[o + 3] = d0i - d1r;
  z[o + 4] = s0r - s1r;
  z[o + 5] = s0i - s1i;
  z[o + 6] = d0r - d1i;
  z[o + 7] = d0i + d1r;
}

// The DFT of 8 points in three radix-2 steps in registers: (0,1) (2,3) (4,5) (6,7) with no
// twiddle; (0,2) (1,3) (4,6) (5,7) with 1, −i; (k, k+4) with 1, (1 − i)/√2, −i, (−1 − i)/√2.

export function firstPass8(x: Float64Array, z: Float64Array, reversed: Int32Array, m: number): void {
  const e = m / 4; // doubles per m/8 points
  for (let j = 0, groups = reversed.length; j < groups; j++) {
    const r = 2 * reversed[j];
    const p0r = x[r];
    const p0i = x[r + 1];
    const p1r = x[r + 4 * e];
    const p1i = x[r + 4 * e + 1];
    const a0r = p0r + p1r;
    const a0i = p0i + p1i;
    const a1r = p0r - p1r;
    const a1i = p0i - p1i;
    const p2r = x[r + 2 * e];
    const p2i = x[r + 2 * e + 1];
    const p3r = x[r + 6 * e];
    const p3i = x[r + 6 * e + 1];
    const a2r = p2r + p3r;
    const a2i = p2i + p3i;
    const a3r = p2r - p3r;
    const a3i = p2i - p3i;
    const p4r = x[r + e];
    const p4i = x[r + e + 1];
    const p5r = x[r + 5 * e];
    const p5i = x[r + 5 * e + 1];
    const a4r = p4r + p5r;
    const a4i = p4i + p5i;
    const a5r = p4r - p5r;
    const a5i = p4i - p5i;
    const p6r = x[r + 3 * e];
    const p6i = x[r + 3 * e + 1];
    const p7r = x[r + 7 * e];
    const p7i = x[r + 7 * e + 1];
    const a6r = p6r + p7r;
    const a6i = p6i + p7i;
    const a7r = p6r - p7r;
    const a7i = p6i - p7i;
    butterfly8(z, 16 * j, a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i, a4r, a4i, a5r, a5i, a6r, a6i, a7r, a7i);
  }
}

export function firstPass8Windowed(
  d: Float32Array,
  off: number,
  mean: number,
  w: Float64Array,
  z: Float64Array,
  reversed: Int32Array,
  m: number,
): void {
  const e = m / 4;
  for (let j = 0, groups = reversed.length; j < groups; j++) {
    const r = off + 2 * reversed[j];
    const o = 16 * j;
    const p0r = (d[r] - mean) * w[o];
    const p0i = (d[r + 1] - mean) * w[o + 1];
    const p1r = (d[r + 4 * e] - mean) * w[o + 2];
    const p1i = (d[r + 4 * e + 1] - mean) * w[o + 3];
    const a0r = p0r + p1r;
    const a0i = p0i + p1i;
    const a1r = p0r - p1r;
    const a1i = p0i - p1i;
    const p2r = (d[r + 2 * e] - mean) * w[o + 4];
    const p2i = (d[r + 2 * e + 1] - mean) * w[o + 5];
    const p3r = (d[r + 6 * e] - mean) * w[o + 6];
    const p3i = (d[r + 6 * e + 1] - mean) * w[o + 7];
    const a2r = p2r + p3r;
    const a2i = p2i + p3i;
    const a3r = p2r - p3r;
    const a3i = p2i - p3i;
    const p4r = (d[r + e] - mean) * w[o + 8];
    const p4i = (d[r + e + 1] - mean) * w[o + 9];
    const p5r = (d[r + 5 * e] - mean) * w[o + 10];
    const p5i = (d[r + 5 * e + 1] - mean) * w[o + 11];
    const a4r = p4r + p5r;
    const a4i = p4i + p5i;
    const a5r = p4r - p5r;
    const a5i = p4i - p5i;
    const p6r = (d[r + 3 * e] - mean) * w[o + 12];
    const p6i = (d[r + 3 * e + 1] - mean) * w[o + 13];
    const p7r = (d[r + 7 * e] - mean) * w[o + 14];
    const p7i = (d[r + 7 * e + 1] - mean) * w[o + 15];
    const a6r = p6r + p7r;
    const a6i = p6i + p7i;
    const a7r = p6r - p7r;
    const a7i = p6i - p7i;
    butterfly8(z, o, a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i, a4r, a4i, a5r, a5i, a6r, a6i, a7r, a7i);
  }
}

const SQRT_HALF = Math.SQRT1_2;

/** Steps 2 and 3 of the 8-point DFT, from step 1's pairs a0 … a7; writes z[o, o + 16). */
function butterfly8(
  z: Float64Array,
  o: number,
  a0r: number,
  a0i: number,
  a1r: number,
  a1i: number,
  a2r: number,
  a2i: number,
  a3r: number,
  a3i: number,
  a4r: number,
  a4i: number,
  a5r: number,
  a5i: number,
  a6r: number,
  a6i: number,
  a7r: number,
  a7i: number,
): void {
  const b0r = a0r + a2r;
  const b0i = a0i + a2i;
  const b2r = a0r - a2r;
  const b2i = a0i - a2i;
  const b1r = a1r + a3i;
  const b1i = a1i - a3r;
  const b3r = a1r - a3i;
  const b3i = a1i + a3r;
  const b4r = a4r + a6r;
  const b4i = a4i + a6i;
  const b6r = a4r - a6r;
  const b6i = a4i - a6i;
  const b5r = a5r + a7i;
  const b5i = a5i - a7r;
  const b7r = a5r - a7i;
  const b7i = a5i + a7r;
  const c5r = (b5r + b5i) * SQRT_HALF;
  const c5i = (b5i - b5r) * SQRT_HALF;
  const c7r = (b7i - b7r) * SQRT_HALF;
  const c7i = -(b7r + b7i) * SQRT_HALF;
  z[o] = b0r + b4r;
  z[o + 1] = b0i + b4i;
  z[o + 8] = b0r - b4r;
  z[o + 9] = b0i - b4i;
  z[o + 2] = b1r + c5r;
  z[o + 3] = b1i + c5i;
  z[o + 10] = b1r - c5r;
  z[o + 11] = b1i - c5i;
  z[o + 4] = b2r + b6i;
  z[o + 5] = b2i - b6r;
  z[o + 12] = b2r - b6i;
  z[o + 13] = b2i + b6r;
  z[o + 6] = b3r + c7r;
  z[o + 7] = b3i + c7i;
  z[o + 14] = b3r - c7r;
  z[o + 15] = b3i - c7i;
}
