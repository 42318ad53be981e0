/**
 * The power |X_k|² of a real FFT from its packed complex FFT Z (the m = n/2 point DFT of
 * z_j = x_2j + i·x_2j+1), added to a sum: the split of Z into the spectrum for j and m − j
 * together, without storing the bins. With E = Z_j + conj Z_(m−j), O = Z_j − conj Z_(m−j),
 * T = W^j·O and W = exp(−2πi/n): 2X_j = E − iT and 2X_(m−j) = conj E − i·conj T; X_0 and X_m
 * come from Z_0. Power is ¼|2X|²: scaling by powers of two is exact, so it equals re² + im² of
 * the bins real-fft.ts unpacks, bit for bit.
 *
 * (Fusing the FFT's last radix-4 pass into this loop, pairing butterflies k and L − k, was
 * measured: no faster in V8, so the pass stores Z and this loop reads it.)
 */

/** Adds |X_k|² (k ≤ m) to sum from the complete Z; cos, sin of −2πj/n for j ≤ m/2. */
export function addSplitPower(
  z: Float64Array,
  cos: Float64Array,
  sin: Float64Array,
  sum: Float64Array,
): void {
  const m = z.length / 2;
  addEnds(z[0], z[1], m, sum);
  for (let j = 1, half = m / 2; j <= half; j++) {
    const o = 2 * (m - j);
    addPair(z[2 * j], z[2 * j + 1], z[o], z[o + 1], j, m, cos, sin, sum);
  }
}

function addEnds(z0r: number, z0i: number, m: number, sum: Float64Array): void {
  const dc = z0r + z0i;
  const nyquist = z0r - z0i;
  sum[0] += dc * dc;
  sum[m] += nyquist * nyquist;
}

/** Adds |X_j|² and |X_(m−j)|² (once when j = m/2) from Z_j = (a, b), Z_(m−j) = (c, d), 0 < j ≤ m/2. */
function addPair(
  a: number,
  b: number,
  c: number,
  d: number,
  j: number,
  m: number,
  cos: Float64Array,
  sin: Float64Array,
  sum: Float64Array,
): void {
  const er = a + c;
  const ei = b - d;
  const or = a - c;
  const oi = b + d;
  const tr = cos[j] * or - sin[j] * oi;
  const ti = cos[j] * oi + sin[j] * or;
  const xr = er + ti;
  const xi = ei - tr;
  const yr = er - ti;
  const yi = ei + tr;
  sum[j] += 0.25 * (xr * xr + xi * xi);
  if (j !== m - j) sum[m - j] += 0.25 * (yr * yr + yi * yi);
}
