import { describe, expect, it } from 'vitest';
import { KllSketch, kllRankError } from '../../src/stats/kll.ts';
import { seededRandom, shuffled } from '../support/shards.ts';

/** 0, 1, …, n − 1 in a fixed shuffled order. */
const range = (n: number) => Float64Array.from(shuffled([...Array(n).keys()], seededRandom(n)));

describe('KLL sketch', () => {
  it("states DataSketches' 99% rank error bound", () => {
    expect(kllRankError(1000)).toBeCloseTo(0.00278017, 8);
    expect(kllRankError(200)).toBeGreaterThan(kllRankError(1000));
  });

  it('is exact while nothing was compacted, and skips NaNs', () => {
    const sketch = new KllSketch(100);
    expect(sketch.addAll([5, NaN, 1, 3, NaN, 2, 4])).toBe(2);
    expect(sketch.n).toBe(5);
    const view = sketch.view();
    expect([0, 1, 2, 3, 4].map((r) => view.valueAtRank(r))).toEqual([1, 2, 3, 4, 5]);
  });

  it('stays within its rank error after compaction, whatever the batch size', () => {
    const data = range(20000);
    const whole = new KllSketch(200);
    whole.addAll(data);
    const chunked = new KllSketch(200);
    for (let i = 0; i < data.length; i += 777) chunked.addAll(data.subarray(i, i + 777));
    const a = whole.view();
    const b = chunked.view();
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    const bound = kllRankError(200) * data.length;
    for (const r of [0, 1000, 9999, 15000, 19999]) expect(Math.abs(a.valueAtRank(r) - r)).toBeLessThan(bound);
  });

  it('merges: counts add and the merged sketch keeps the bound', () => {
    const data = range(10000);
    const a = new KllSketch(200);
    const b = new KllSketch(200);
    a.addAll(data.subarray(0, 4000));
    b.addAll(data.subarray(4000));
    a.merge(b);
    expect(a.n).toBe(10000);
    const bound = kllRankError(200) * 10000;
    expect(Math.abs(a.view().valueAtRank(5000) - 5000)).toBeLessThan(bound);
  });
});
