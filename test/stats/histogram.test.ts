import { describe, expect, it } from 'vitest';
import type { BinPlan } from '../../src/stats/bin-edges.ts';
import { binIndex, planBins } from '../../src/stats/bin-edges.ts';
import { binValues, HistogramAccumulator, histogramTable } from '../../src/stats/histogram.ts';
import { seeded } from './exact-oracle.ts';
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

/** The tally value by value through binIndex: what every kernel must give. */
function referenceTally(data: Float32Array, plan: BinPlan) {
  const t = tally(plan.bins);
  const { edges, bins } = plan;
  for (const x of data) {
    if (x !== x) t.nan++;
    else if (x < edges[0]) t.underflow++;
    else if (x > edges[bins]) t.overflow++;
    else t.counts[binIndex(x, plan, edges, bins)]++;
  }
  return t;
}

describe('histogram counting, float32 kernel', () => {
  const random = seeded(2024);
  /** Values on, just beside and between the edges, outside them, NaN and infinities. */
  function edgeHeavy(plan: BinPlan, length: number): Float32Array {
    const { edges, bins } = plan;
    return Float32Array.from({ length }, () => {
      const edge = edges[Math.floor(random() * (bins + 1))];
      const kind = Math.floor(random() * 8);
      if (kind === 0) return edge;
      if (kind === 1) return edge * (1 + 2 ** -23);
      if (kind === 2) return edge * (1 - 2 ** -24);
      if (kind === 3) return [NaN, Infinity, -Infinity, -0, 0][Math.floor(random() * 5)];
      const span = edges[bins] - edges[0];
      return edges[0] - 0.1 * span + 1.2 * span * random();
    });
  }

  it.each([
    ['a range', planBins('float32', 1000, [0, 200])],
    ['an odd range', planBins('float32', 7, [-1.1, 3.3])],
    [
      'the data (float32 arithmetic throughout)',
      planBins('float32', 333, undefined, { count: 2, min: Math.fround(-2.7), max: Math.fround(1e4) }),
    ],
    ['one bin', planBins('float32', 1, [-1, 1])],
    ['more bins than the scratch holds', planBins('float32', 70_000, [0, 1])],
  ])('counts exactly as binIndex does, edges included, with %s', (_, plan) => {
    for (const length of [3, 300, 65_536 + 5]) {
      const data = edgeHeavy(plan, length);
      const t = tally(plan.bins);
      binValues(data, plan, t);
      binValues(data, plan, t); // the scratch is empty again after a call
      const ref = referenceTally(data, plan);
      expect(Array.from(t.counts)).toEqual(Array.from(ref.counts, (c) => 2 * c));
      expect([t.underflow, t.overflow, t.nan]).toEqual([2 * ref.underflow, 2 * ref.overflow, 2 * ref.nan]);
    }
  });

  it('matches numpy.histogram on float32 values at and beside the edges', () => {
    // np.histogram(np.array(data, dtype=np.float32), bins=5, range=(0, 1)): edges are float32 of
    // linspace; 0.6 as float32 is just above float32(0.6) the edge, 1 belongs to the last bin.
    const data = new Float32Array([0, 0.2, 0.19999999, 0.6, 0.6000001, 0.99999994, 1, 1.0000001, -0, NaN]);
    const t = tally(5);
    binValues(data, planBins('float32', 5, [0, 1]), t);
    expect(Array.from(t.counts)).toEqual([3, 1, 0, 2, 2]);
    expect([t.underflow, t.overflow, t.nan]).toEqual([0, 1, 1]);
  });
});
