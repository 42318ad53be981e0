import { describe, expect, it } from 'vitest';
import {
  binIndex,
  hasUsableEdges,
  linspace32,
  linspace64,
  planBins,
  sameEdges,
} from '../../src/stats/bin-edges.ts';

const f = Math.fround;

describe('bin edges', () => {
  it('linspace64 ends exactly on stop', () => {
    expect(Array.from(linspace64(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace64(0.1, 0.7, 7)[6]).toBe(0.7);
  });

  it('linspace32 rounds every step to float32, as numpy with float32 start and stop', () => {
    // np.linspace(np.float32(0.1), np.float32(0.7), 4)
    expect(Array.from(linspace32(f(0.1), f(0.7), 4))).toEqual([
      0.10000000149011612, 0.29999998211860657, 0.4999999701976776, 0.699999988079071,
    ]);
  });

  it('plans float64 edges from a range, float32 edges for a float32 column', () => {
    expect(Array.from(planBins('float64', 4, [0, 1]).edges)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    // np.linspace(0.1, 0.7, 4).astype(np.float32): not the float32 linspace above.
    expect(Array.from(planBins('float32', 3, [0.1, 0.7]).edges)).toEqual([
      0.10000000149011612, 0.30000001192092896, 0.5, 0.699999988079071,
    ]);
  });

  it('gives an input without finite values the range (0, 1), a constant one ±0.5', () => {
    expect(Array.from(planBins('float64', 2, undefined, { count: 0, min: null, max: null }).edges)).toEqual([
      0, 0.5, 1,
    ]);
    expect(Array.from(planBins('int32', 2, undefined, { count: 4, min: 3, max: 3 }).edges)).toEqual([
      2.5, 3, 3.5,
    ]);
  });

  it("puts a value in numpy's bin, correcting the scaled guess against the edges", () => {
    const plan = planBins('float64', 10, [0, 1]);
    // (0.3 - 0) / 1 * 10 truncates to 3, but edges[3] = 0.30000000000000004 > 0.3:
    // np.histogram([0.3], 10, (0, 1)) counts it in bin 2.
    expect(Math.trunc(0.3 * 10)).toBe(3);
    expect(binIndex(0.3, plan, plan.edges, 10)).toBe(2);
    expect(binIndex(plan.edges[3], plan, plan.edges, 10)).toBe(3);
    expect(binIndex(0, plan, plan.edges, 10)).toBe(0);
    expect(binIndex(1, plan, plan.edges, 10)).toBe(9); // the last edge closes the last bin
  });

  it('refuses equal or infinite edges and compares edges value for value', () => {
    expect(hasUsableEdges(new Float64Array([0, 1, 2]))).toBe(true);
    expect(hasUsableEdges(new Float64Array([0, 0, 1]))).toBe(false);
    expect(hasUsableEdges(new Float64Array([0, Infinity]))).toBe(false);
    expect(sameEdges(new Float64Array([0, 1]), new Float64Array([0, 1]))).toBe(true);
    expect(sameEdges(new Float64Array([0, 1]), new Float64Array([0, 2]))).toBe(false);
    expect(sameEdges(new Float64Array([0, 1]), new Float64Array([0, 1, 2]))).toBe(false);
  });
});
