/**
 * docs/design.md §2: a file split into row ranges, each read by its own source (look-back
 * reaching into the previous range), accumulated separately and merged in any order, gives
 * exactly the one-pass result.
 */
import { describe, expect, it } from 'vitest';
import npy from '../../src/sources/npy.ts';
import { StatsAccumulator } from '../../src/sinks/stats.ts';
import { histogramPlan } from '../../src/sinks/histogram.ts';
import { HistogramAccumulator } from '../../src/stats/histogram.ts';
import { readGolden } from '../support/golden.ts';

const PATH = 'test/fixtures/npy/f4-sine.npy';
const ROWS = 10007;
const RANGE: [number, number] = [-0.5, 1.5];

async function accumulateShard(startRow: number, endRow: number) {
  const params = npy.params.parse({ path: PATH, chunkRows: 333, startRow, endRow });
  const source = await npy.create(params, { signal: new AbortController().signal, log: () => {} });
  const stats = new StatsAccumulator(['value']);
  const plan = histogramPlan(
    { column: 'value', bins: 37, range: RANGE },
    'float32',
    undefined,
    'RANGE_INVALID',
  );
  const histogram = new HistogramAccumulator('value', plan);
  try {
    // Look-back rows (here 50) must never be counted twice.
    for await (const batch of source.batches({ overlap: 50 })) {
      stats.add(batch);
      histogram.add(batch);
    }
  } finally {
    await source.close();
  }
  return { stats, histogram };
}

describe('row-range shards', () => {
  it('merged in shuffled order equal one pass over the whole file', async () => {
    const whole = await accumulateShard(0, ROWS);
    const cuts = [0, 1, 1000, 1001, 4444, 9999, ROWS];
    const shards = await Promise.all(cuts.slice(1).map((end, i) => accumulateShard(cuts[i], end)));
    const order = [3, 0, 5, 2, 4, 1];
    const merged = shards[order[0]];
    for (const i of order.slice(1)) {
      merged.stats.merge(shards[i].stats);
      merged.histogram.merge(shards[i].histogram);
    }
    expect(merged.histogram.result()).toEqual(whole.histogram.result());
    const [a, b] = [merged.stats.result().columns.value, whole.stats.result().columns.value];
    expect({ ...a, mean: 0, std: 0 }).toEqual({ ...b, mean: 0, std: 0 });
    expect(Math.abs(Number(a.mean) - Number(b.mean))).toBeLessThan(1e-12 * Math.abs(Number(b.mean)));
    expect(Math.abs(Number(a.std) - Number(b.std))).toBeLessThan(1e-12 * Math.abs(Number(b.std)));
    const golden = readGolden<{ stats: { columns: { value: { count: number } } } }>('sources', 'f4-sine');
    expect(a.count).toBe(golden.stats.columns.value.count);
  });
});
