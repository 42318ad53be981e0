/** scipy's PSD arithmetic: rfftfreq against the welch goldens, the scales and one-sided doubling. */
import { describe, expect, it } from 'vitest';
import { frequencies, medianBias, oneSidedFactor, spectralScale } from '../../src/dsp/spectral-scaling.ts';
import { goldenCases, readGolden } from '../support/golden.ts';

interface WelchGolden {
  sampleRate: number | null;
  params: { nperseg?: number; nfft?: number };
  frequencies: number[];
}

describe('frequencies equal numpy.fft.rfftfreq', () => {
  const cases = goldenCases('welch').filter((name) => !name.startsWith('short'));
  it.each(cases)('%s', (name) => {
    const g = readGolden<WelchGolden>('welch', name);
    const nfft = g.params.nfft ?? g.params.nperseg ?? 256;
    expect(frequencies(nfft, g.sampleRate ?? 1)).toEqual(g.frequencies);
  });

  it('gives nfft // 2 + 1 bins, in cycles per sample at fs = 1', () => {
    expect(frequencies(5, 1)).toEqual([0, 0.2, 0.4]);
    expect(frequencies(4, 8)).toEqual([0, 2, 4]);
  });
});

describe('scaling', () => {
  it('density is 1/(fs·Σw²), spectrum 1/(Σw)²', () => {
    const sums = { sum: 4, sumSquares: 2 };
    expect(spectralScale('density', 10, sums)).toBe(1 / 20);
    expect(spectralScale('spectrum', 10, sums)).toBe(1 / 16);
  });

  it('doubles every bin but DC and an even nfft’s Nyquist', () => {
    expect([0, 1, 2, 3, 4].map((k) => oneSidedFactor(k, 8))).toEqual([1, 2, 2, 2, 1]);
    expect([0, 1, 2, 3].map((k) => oneSidedFactor(k, 7))).toEqual([1, 2, 2, 2]);
  });

  it('median bias as scipy’s _median_bias', () => {
    expect(medianBias(2)).toBe(1);
    expect(medianBias(5)).toBeCloseTo(1 + (1 / 3 - 1 / 2) + (1 / 5 - 1 / 4), 15);
  });
});
