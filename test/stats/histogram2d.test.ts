import { describe, expect, it } from 'vitest';
import {
  binCounts,
  binPairs,
  encodeCountsNpy,
  Histogram2dAccumulator,
  histogram2dTable,
  planAxisBins,
} from '../../src/stats/histogram2d.ts';
import { makeBatch } from '../support/batches.ts';

describe('histogram2d counting', () => {
  const plan = planAxisBins('float64', 2, [0, 1], undefined);

  it('counts pairs as numpy.histogram2d: last edge in the last bin, NaN and outside dropped', () => {
    // np.histogram2d([0, 1, 0.5, nan, 2], [0, 1, 0.25, 0, 0], bins=2, range=[[0, 1], [0, 1]])
    const counts = new Float64Array(4);
    binPairs([0, 1, 0.5, NaN, 2], [0, 1, 0.25, 0, 0], plan, plan, counts);
    expect(Array.from(counts)).toEqual([1, 0, 1, 1]);
  });

  it('bins a given range in float64 whatever the dtype, data in the sample dtype', () => {
    // np.linspace(0.1, 0.7, 4): float64, where a float32 column's histogram has float32 edges.
    expect(Array.from(planAxisBins('float32', 3, [0.1, 0.7], undefined).edges)).toEqual([0.1, 0.3, 0.5, 0.7]);
    const fromData = planAxisBins('int64', 2, undefined, { count: 2, min: 0, max: 4 });
    expect(Array.from(fromData.edges)).toEqual([0, 2, 4]);
    expect(binCounts(3)).toEqual([3, 3]);
    expect(binCounts([2, 5])).toEqual([2, 5]);
  });

  it('merges shards and writes the counts x-major, as a table and as .npy', () => {
    const a = new Histogram2dAccumulator('x', 'y', plan, plan);
    const b = new Histogram2dAccumulator('x', 'y', plan, plan);
    a.add(makeBatch({ x: new Float64Array([0, 1]), y: new Float64Array([0, 1]) }));
    b.add(makeBatch({ x: new Float64Array([0.5, 0.1]), y: new Float64Array([0.25, 0.2]) }));
    a.merge(b);
    const result = a.result();
    expect(result.counts).toEqual([
      [2, 0],
      [1, 1],
    ]);
    const table = histogram2dTable(result, 'mm');
    expect(Array.from(table.columns.x_left)).toEqual([0, 0, 0.5, 0.5]);
    expect(Array.from(table.columns.y_left)).toEqual([0, 0.5, 0, 0.5]);
    expect(Array.from(table.columns.count)).toEqual([2, 0, 1, 1]);
    expect(table.units).toEqual({ x_left: 'mm', x_right: 'mm' });
    const npy = encodeCountsNpy(a);
    const headerLength = npy.length - 4 * 8;
    expect(headerLength % 64).toBe(0);
    expect(new TextDecoder().decode(npy.subarray(0, headerLength))).toContain("'shape': (2, 2)");
    expect(Array.from(new Float64Array(npy.slice(headerLength).buffer))).toEqual([2, 0, 1, 1]);
  });

  it('refuses to merge other edges', () => {
    const a = new Histogram2dAccumulator('x', 'y', plan, plan);
    const b = new Histogram2dAccumulator('x', 'y', plan, planAxisBins('float64', 2, [0, 2], undefined));
    expect(() => a.merge(b)).toThrow(expect.objectContaining({ code: 'RANGE_INVALID' }));
  });
});
