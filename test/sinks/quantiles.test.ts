import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/core/registry.ts';
import type { SinkStage } from '../../src/core/stage.ts';
import { sinks } from '../../src/sinks/index.ts';
import type { QuantilesResult } from '../../src/stats/quantiles.ts';
import { KllSketch, kllRankError } from '../../src/stats/kll.ts';
import { chunkBatches, makeBatch, rowCountOf, schemaOf } from '../support/batches.ts';
import { goldenCases } from '../support/golden.ts';
import { runSink } from '../support/run-sink.ts';
import { seededRandom, shardRows } from '../support/shards.ts';
import { loadAtomProbeGolden } from '../transforms/atom-probe-golden.ts';

const stage = new Registry(sinks).get('quantiles', 'sink') as SinkStage;

interface Expected {
  count: number;
  nan: number;
  median: number | string;
  quantiles: Record<string, number | string>;
}

/** Fraction of ranks between q·(n−1) and the ranks value v occupies in sorted data. */
function rankError(sorted: Float64Array, q: number, v: number): number {
  const n = sorted.length;
  const lower = (x: number, strict: boolean) => {
    let [a, b] = [0, n];
    while (a < b) {
      const m = (a + b) >> 1;
      if (strict ? sorted[m] < x : sorted[m] <= x) a = m + 1;
      else b = m;
    }
    return a;
  };
  const lo = lower(v, true);
  const hi = lower(v, false) - 1;
  const r = q * (n - 1);
  return (r < lo ? lo - r : r > hi ? r - hi : 0) / n;
}

describe('quantiles sink', () => {
  describe.each(goldenCases('quantiles'))('golden %s', (name) => {
    const g = loadAtomProbeGolden<Expected>('quantiles', name);
    const rows = rowCountOf(g.inputs);

    it.each([1, 64, rows, rows + 3])(
      'exact: true equals numpy.nanquantile/nanmedian (chunks of %i)',
      async (chunk) => {
        const batches = chunkBatches(g.inputs, chunk, { history: 2 });
        const result = (await runSink(
          stage,
          { ...g.params, exact: true },
          schemaOf(g.inputs),
          batches,
        )) as QuantilesResult;
        expect(result.columns[0]).toMatchObject({ ...g.expected, exact: true, rankError: 0 });
      },
    );

    it('the sketch is within its rank error and identical for every chunk size', async () => {
      const results = await Promise.all(
        [7, 1000, rows].map((chunk) =>
          runSink(
            stage,
            { ...g.params, k: 200 },
            schemaOf(g.inputs),
            chunkBatches(g.inputs, chunk, { history: 1 }),
          ),
        ),
      );
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
      const column = (results[0] as QuantilesResult).columns[0];
      expect(column).toMatchObject({ count: g.expected.count, nan: g.expected.nan, exact: false });
      const values = Float64Array.from(g.inputs.value as ArrayLike<number>)
        .filter((v) => !Number.isNaN(v))
        .sort();
      for (const [q, v] of Object.entries(column.quantiles)) {
        expect(rankError(values, Number(q), Number(v))).toBeLessThanOrEqual(column.rankError);
      }
    });
  });

  it('KLL: rank error within 1.5 ε(k) over 99 quantiles, one pass and merged shards', () => {
    const random = seededRandom(3);
    const n = 300_000;
    const data = Float64Array.from({ length: n }, () => random() ** 3 * 100);
    const sorted = Float64Array.from(data).sort();
    const k = 200;
    const one = new KllSketch(k);
    one.addAll(data);
    const [first, ...rest] = shardRows(n, 5, 11).map(([a, b]) => {
      const s = new KllSketch(k);
      s.addAll(data.subarray(a, b));
      return s;
    });
    for (const s of rest) first.merge(s);
    for (const sketch of [one, first]) {
      expect(sketch.n).toBe(n);
      const view = sketch.view();
      let worst = 0;
      for (let i = 1; i < 100; i++)
        worst = Math.max(worst, rankError(sorted, i / 100, view.valueAtRank((i / 100) * (n - 1))));
      expect(worst).toBeLessThan(1.5 * kllRankError(k));
    }
  });

  it('defaults parse; a bad q is rejected with its path; NaN-only columns give null', async () => {
    expect(stage.params.parse({})).toMatchObject({ q: [0.25, 0.75], exact: false, k: 1000 });
    expect(stage.params.safeParse({ q: [1.5] }).error?.issues[0].path).toEqual(['q', 0]);
    const table = { v: Float64Array.of(NaN, NaN) };
    const result = (await runSink(stage, {}, schemaOf(table), [makeBatch(table)])) as QuantilesResult;
    expect(result.columns[0]).toMatchObject({ count: 0, nan: 2, median: null });
  });
});
