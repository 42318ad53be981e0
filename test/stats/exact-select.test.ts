import { describe, expect, it } from 'vitest';
import { ExactSelector } from '../../src/stats/exact-select.ts';
import { KllSketch, kllRankError } from '../../src/stats/kll.ts';
import { seededRandom, shuffled } from '../support/shards.ts';

/** 0, 1, …, n − 1 in a fixed shuffled order. */
const range = (n: number) => Float64Array.from(shuffled([...Array(n).keys()], seededRandom(n)));

describe('exact selection bracketed by a sketch', () => {
  it('reads the exact value of each rank, ties included, after a merge', () => {
    const data = Float64Array.from(range(5000), (v) => Math.floor(v / 3)); // every value three times
    const sketch = new KllSketch(64);
    sketch.addAll(data);
    // Ranks a margin away from both ends: the sketch may have lost the min and the max.
    const ranks = [1234, 2500, 3500];
    const margin = Math.ceil(5 * kllRankError(64) * 5000) + 2;
    const a = new ExactSelector('v', sketch.view(), ranks, margin);
    const b = new ExactSelector('v', sketch.view(), ranks, margin);
    a.addAll(data.subarray(0, 2000));
    b.addAll(data.subarray(2000));
    a.merge(b);
    expect(ranks.map((r) => a.valueAtRank(r))).toEqual([411, 833, 1166]);
  });

  it('reads the minimum and maximum exactly though the compacted sketch lost them', () => {
    const data = Float64Array.from(range(100_000), (v) => v * 0.5 - 7);
    const sketch = new KllSketch(64);
    sketch.addAll(data);
    const n = data.length;
    const margin = Math.ceil(5 * kllRankError(64) * n) + 2;
    const ranks = [0, 1, n - 2, n - 1];
    const selector = new ExactSelector('v', sketch.view(), ranks, margin);
    selector.addAll(data);
    expect(ranks.map((r) => selector.valueAtRank(r))).toEqual([-7, -6.5, 49992, 49992.5]);
  });

  it('reports a rank outside every bracket', () => {
    const sketch = new KllSketch(64);
    sketch.addAll([1, 2, 3, 4]);
    const selector = new ExactSelector('v', sketch.view(), [1], 0);
    selector.addAll([1, 2, 3, 4]);
    expect(selector.valueAtRank(1)).toBe(2);
    // The bracket [2, 2] holds rank 1 only; rank 3 lies outside it.
    expect(() => selector.valueAtRank(3)).toThrow(expect.objectContaining({ code: 'STAGE_FAILED' }));
  });
});
