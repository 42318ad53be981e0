/** Detrending as scipy.signal.detrend: for the detrend transform and every segment of the spectral sinks. */
export type DetrendMethod = 'constant' | 'linear' | 'none';

/**
 * scipy.signal.detrend of one row, in place: `constant` removes the mean, `linear` the
 * least-squares line (fitted about the centre, which is what lstsq finds, without its
 * cancellation), `none` nothing.
 */
export function detrendInPlace(x: Float64Array, method: DetrendMethod): void {
  const n = x.length;
  if (method === 'none' || n === 0) return;
  const mean = sumInFourLanes(x, 0, n) / n;
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

/**
 * Σ x[offset + i], i < n, in four interleaved partial sums added as (a + b) + (c + d): four
 * independent add chains instead of one run ~3× faster, and the fused segment path
 * (segment-spectrum.ts) adds in exactly this order so that its bits match detrendInPlace's.
 */
export function sumInFourLanes(x: Float64Array, offset: number, n: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a += x[offset + i];
    b += x[offset + i + 1];
    c += x[offset + i + 2];
    d += x[offset + i + 3];
  }
  for (; i < n; i++) a += x[offset + i];
  return a + b + (c + d);
}

/** A detrended copy of `row`. */
export function removeTrend(row: Float64Array, method: DetrendMethod): Float64Array {
  const out = row.slice();
  detrendInPlace(out, method);
  return out;
}
