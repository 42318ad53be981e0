import { describe, expect, it } from 'vitest';
import { planBins } from '../../src/stats/bin-edges.ts';
import { binValues, HistogramAccumulator, histogramTable } from '../../src/stats/histogram.ts';
import { makeBatch } from '../support/batches.ts';

function tally(bins: number) {
  return { counts: new Float64Array(bins), underflow: 0, overflow: 0, nan: 0 };
}

describe('histogram counting', () => {
  it('counts NaNs, underflow and overflow apart from the bins', () => {
    const plan = planBins('float64', 4, [0, 1]);
    const t = tally(4);
    binValues(new Float64Array([0, 0.25, 0.3, 1, -1, 2, NaN, -Infinity, Infinity]), plan, t);
    expect(Array.from(t.counts)).toEqual([1, 2, 0, 1]);
    expect(t).toMatchObject({ underflow: 2, overflow: 2, nan: 1 });
  });

  it('bins int64 values at their nearest doubles, as numpy casts them', () => {
    // np.histogram(np.array([-(2**62), 2**62 + 1, 0], dtype=np.int64), bins=4)
    const data = new BigInt64Array([-(2n ** 62n), 2n ** 62n + 1n, 0n]);
    const plan = planBins('int64', 4, undefined, { count: 3, min: -(2n ** 62n), max: 2n ** 62n + 1n });
    const t = tally(4);
    binValues(data, plan, t);
    expect(Array.from(t.counts)).toEqual([1, 0, 1, 1]);
  });

  it('adds only new rows, merges partial histograms and refuses other edges', () => {
    const plan = planBins('float64', 2, [0, 1]);
    const a = new HistogramAccumulator('v', plan);
    const b = new HistogramAccumulator('v', plan);
    a.add(makeBatch({ v: new Float64Array([0.9, 0.1, 0.2]) }, { history: 1 }));
    b.add(makeBatch({ v: new Float64Array([0.7, NaN, 5]) }));
    a.merge(b);
    expect(a.result()).toEqual({
      column: 'v',
      edges: [0, 0.5, 1],
      counts: [2, 1],
      underflow: 0,
      overflow: 1,
      nan: 1,
    });
    const other = new HistogramAccumulator('v', planBins('float64', 2, [0, 2]));
    expect(() => a.merge(other)).toThrow(expect.objectContaining({ code: 'RANGE_INVALID' }));
  });

  it('writes one table row per bin with int64 counts', () => {
    const table = histogramTable(
      { column: 'v', edges: [0, 0.5, 1], counts: [2, 1], underflow: 0, overflow: 0, nan: 0 },
      'V',
    );
    expect(table.columns).toEqual({
      left: new Float64Array([0, 0.5]),
      right: new Float64Array([0.5, 1]),
      count: new BigInt64Array([2n, 1n]),
    });
    expect(table.units).toEqual({ left: 'V', right: 'V' });
  });
});
