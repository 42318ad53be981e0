/** removeTrend: scipy.signal.detrend of a copy. */
import { describe, expect, it } from 'vitest';
import { removeTrend } from '../../src/dsp/detrend.ts';

describe('removeTrend', () => {
  it('removes the mean or the line from a copy', () => {
    const row = Float64Array.from([1, 2, 6]);
    expect([...removeTrend(row, 'constant')]).toEqual([-2, -1, 3]);
    // lstsq line through (0,1), (1,2), (2,6): slope 2.5, value 3 at the centre.
    const linear = removeTrend(row, 'linear');
    [0.5, -1, 0.5].forEach((v, i) => expect(linear[i]).toBeCloseTo(v, 14));
    expect([...removeTrend(row, 'none')]).toEqual([1, 2, 6]);
    expect([...row]).toEqual([1, 2, 6]);
  });
});
