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

/** A detrended copy of `row`. */
export function removeTrend(row: Float64Array, method: DetrendMethod): Float64Array {
  const out = row.slice();
  detrendInPlace(out, method);
  return out;
}
