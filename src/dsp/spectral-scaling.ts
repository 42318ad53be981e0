/**
 * scipy's PSD arithmetic after the FFT (scipy/signal/_spectral_py.py `_spectral_helper`,
 * `_median_bias`): the density or spectrum scale, one-sided doubling, the median's bias and
 * the frequencies of the bins. psd, welch and spectrogram use the same code, so they agree bit
 * for bit.
 */
export type Scaling = 'density' | 'spectrum';
export type Average = 'mean' | 'median';

/** scipy's scale: 1/(fs·Σw²) for density, 1/(Σw)² for spectrum. */
export function spectralScale(
  scaling: Scaling,
  sampleRate: number,
  sums: { sum: number; sumSquares: number },
): number {
  return scaling === 'density' ? 1 / (sampleRate * sums.sumSquares) : 1 / (sums.sum * sums.sum);
}

/** 2 for the one-sided bins that stand for two (not DC, not Nyquist of an even nfft), else 1. */
export function oneSidedFactor(k: number, nfft: number): number {
  if (k === 0) return 1;
  if (nfft % 2 === 0 && k === nfft / 2) return 1;
  return 2;
}

/** scipy's `_median_bias(n)`: the median of n periodograms over their mean, for χ²₂ bins. */
export function medianBias(n: number): number {
  let sum = 0;
  for (let i = 1; i <= Math.floor((n - 1) / 2); i++) sum += 1 / (2 * i + 1) - 1 / (2 * i);
  return 1 + sum;
}

/** rfftfreq(nfft, 1/fs). */
export function frequencies(nfft: number, sampleRate: number): number[] {
  const bins = Math.floor(nfft / 2) + 1;
  const val = 1 / (nfft * (1 / sampleRate)); // numpy's rfftfreq, operation for operation
  return Array.from({ length: bins }, (_, k) => k * val);
}
