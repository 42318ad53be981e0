import { describe, expect, it } from 'vitest';
import {
  medianOf,
  QuantilesAccumulator,
  quantileOf,
  SketchPass,
  wantedRanks,
} from '../../src/stats/quantiles.ts';
import { makeBatch } from '../support/batches.ts';

const f = Math.fround;
const sorted = (values: number[]) => (r: number) => values[r];

describe("numpy's quantile arithmetic", () => {
  it('interpolates linearly as numpy.quantile', () => {
    const at = sorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // np.quantile(np.arange(1., 11.), [0, 0.25, 0.5, 0.9, 1])
    expect([0, 0.25, 0.5, 0.9, 1].map((q) => quantileOf(at, 10, q, false))).toEqual([1, 3.25, 5.5, 9.1, 10]);
  });

  it('computes in float32 for float32 data', () => {
    const at = sorted([f(0.1), f(0.2), f(0.7)]);
    // np.quantile(np.array([0.1, 0.2, 0.7], dtype=np.float32), 0.3) is np.float32(0.16)
    expect(quantileOf(at, 3, 0.3, true)).toBe(f(0.16));
    // np.median(np.array([0.1, 0.2], dtype=np.float32))
    expect(medianOf(sorted([f(0.1), f(0.2)]), 2, true)).toBe(0.15000000596046448);
    expect(medianOf(sorted([1, 2, 7]), 3, false)).toBe(2);
  });

  it('asks for the ranks numpy reads: floor and ceil per q, then the middle two', () => {
    expect(wantedRanks(10, [0.25, 1])).toEqual([
      [2, 3],
      [9, 9],
      [4, 5],
    ]);
  });
});

describe('the quantiles accumulator', () => {
  const batch = makeBatch({ v: new Float64Array([4, NaN, 1, 3, 2, 5]) });

  it('reports median, quantiles and NaNs from a sketch', () => {
    const acc = new QuantilesAccumulator([{ name: 'v', dtype: 'float64' }], [0.25], 100, undefined);
    acc.add(batch);
    expect(acc.result().columns[0]).toMatchObject({
      column: 'v',
      count: 5,
      nan: 1,
      median: 3,
      quantiles: { '0.25': 2 },
      exact: false,
    });
  });

  it('is exact after the sketch pass, and null without values', () => {
    const pass = new SketchPass(1, ['v']);
    pass.add(batch);
    const acc = new QuantilesAccumulator([{ name: 'v', dtype: 'float64' }], [0.1], 100, pass.result());
    acc.add(batch);
    expect(acc.result().columns[0]).toMatchObject({
      median: 3,
      quantiles: { '0.1': 1.4 },
      exact: true,
      rankError: 0,
    });
    const empty = new QuantilesAccumulator([{ name: 'v', dtype: 'float64' }], [0.5], 100, undefined);
    expect(empty.result().columns[0]).toMatchObject({ count: 0, median: null, quantiles: { '0.5': null } });
  });
});
