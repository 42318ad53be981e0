/** TraceKit's chunked_fft arithmetic: the default nfft, the coherent-gain divisor and the dB floor. */
import { describe, expect, it } from 'vitest';
import {
  coherentDivisor,
  nextPowerOfTwo,
  TRACEKIT_WINDOWS,
  toDb,
} from '../../src/dsp/spectrum-average-accumulator.ts';
import { makeWindow } from '../../src/dsp/windows.ts';

describe('chunked_fft arithmetic', () => {
  it('nfft defaults to the next power of two', () => {
    expect([1, 2, 3, 255, 256, 257, 10_000_000].map(nextPowerOfTwo)).toEqual([
      1, 2, 4, 256, 256, 512, 16_777_216,
    ]);
  });

  it('divides by n × Σw/n: n for a boxcar, Σ of numpy’s symmetric hanning', () => {
    expect(coherentDivisor(makeWindow(TRACEKIT_WINDOWS.rect, 8, true))).toBe(8);
    // np.hanning(5) = [0, 0.5, 1, 0.5, 0].
    expect(coherentDivisor(makeWindow(TRACEKIT_WINDOWS.hanning, 5, true))).toBeCloseTo(2, 15);
  });

  it('gives 20·log10, floored at 1e-20', () => {
    expect(toDb(1)).toBe(0);
    expect(toDb(10)).toBe(20);
    expect(toDb(0)).toBe(-400);
    expect(toDb(1e-30)).toBe(-400);
  });
});
