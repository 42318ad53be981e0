import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Batch } from '../../src/core/batch.ts';
import { Registry } from '../../src/core/registry.ts';
import type { SinkStage } from '../../src/core/stage.ts';
import type { HistogramParams } from '../../src/sinks/histogram.ts';
import { histogramPlan } from '../../src/sinks/histogram.ts';
import type { HistogramResult } from '../../src/stats/histogram.ts';
import { HistogramAccumulator } from '../../src/stats/histogram.ts';
import { sinks } from '../../src/sinks/index.ts';
import { RangeAccumulator } from '../../src/stats/range.ts';
import { linspace64, planBins } from '../../src/stats/bin-edges.ts';
import type { Table } from '../support/batches.ts';
import { chunkBatches, makeBatch, rowCountOf, schemaOf } from '../support/batches.ts';
import { goldenCases, goldenPath, readGolden } from '../support/golden.ts';
import { readNpyColumn } from '../support/read-npy.ts';
import { openSink, runSink, sinkContext } from '../support/run-sink.ts';
import { mergeInOrders, shardRows } from '../support/shards.ts';

const stage = new Registry(sinks).get('histogram') as SinkStage;
const CHUNK_SIZES = [1, 7, 4096, 1 << 20];
const HISTORY = 3;

interface HistogramGolden {
  readonly input: string;
  readonly params: Record<string, unknown>;
  readonly expected?: HistogramResult;
  /** numpy refused these data (too many bins for the range). */
  readonly error?: string;
}

function loadCase(name: string): { golden: HistogramGolden; table: Table } {
  const golden = readGolden<HistogramGolden>('histogram', name);
  return { golden, table: { value: readNpyColumn(goldenPath('histogram', golden.input)) } };
}

function histogramOf(golden: HistogramGolden, table: Table, batches: readonly Batch[]): Promise<unknown> {
  return runSink(stage, golden.params, schemaOf(table), batches);
}

describe('histogram sink', () => {
  describe.each(goldenCases('histogram'))('golden %s', (name) => {
    const { golden, table } = loadCase(name);
    const rows = rowCountOf(table);

    if (golden.error) {
      it('refuses, as numpy does', async () => {
        await expect(histogramOf(golden, table, [makeBatch(table)])).rejects.toMatchObject({
          code: 'RANGE_INVALID',
        });
      });
      return;
    }

    it('matches numpy exactly in one batch', async () => {
      expect(await histogramOf(golden, table, [makeBatch(table)])).toEqual(golden.expected);
    });

    it.each([...CHUNK_SIZES, rows + 3])(
      'matches numpy exactly in chunks of %i rows with look-back',
      async (chunk) => {
        const batches = chunkBatches(table, chunk, { history: HISTORY });
        expect(batches.slice(1).every((b) => b.history > 0)).toBe(true);
        expect(await histogramOf(golden, table, batches)).toEqual(golden.expected);
      },
    );

    it('merging shards (and their min/max passes) in any order equals one pass', () => {
      const p = stage.params.parse(golden.params) as HistogramParams;
      const shards = shardRows(rows, 6, name.length + 1);
      const batchesOf = ([startRow, endRow]: [number, number]) =>
        chunkBatches(table, 509, { history: HISTORY, startRow, endRow });
      const ranges = () =>
        shards.map((shard) => {
          const acc = new RangeAccumulator('value');
          for (const batch of batchesOf(shard)) acc.add(batch);
          return acc;
        });
      for (const range of mergeInOrders(ranges, () => new RangeAccumulator('value'), 3)) {
        const dtype = schemaOf(table).columns[0].dtype;
        const plan = histogramPlan(p, dtype, p.range ? undefined : range.result(), 'RANGE_INVALID');
        const fresh = () => new HistogramAccumulator('value', plan);
        const build = () =>
          shards.map((shard) => {
            const acc = fresh();
            for (const batch of batchesOf(shard)) acc.add(batch);
            return acc;
          });
        for (const merged of mergeInOrders(build, fresh, 5)) expect(merged.result()).toEqual(golden.expected);
      }
    });
  });

  it('float32 edges are computed in float32, as numpy 2 does (they differ from float64 linspace)', () => {
    const { golden } = loadCase('f32-edges-differ');
    const edges = golden.expected?.edges ?? [];
    const [lo, hi] = [edges[0], edges[edges.length - 1]];
    const viaFloat64 = Array.from(linspace64(lo, hi, edges.length), Math.fround);
    expect(viaFloat64).not.toEqual(edges);
    expect(edges.every((e) => Math.fround(e) === e)).toBe(true);
  });

  // numpy's index guess uses these promotions; its +-1 corrections make the counts depend on
  // the edges alone in every case numpy can bin, so the goldens cannot see them: pin them here.
  const f = Math.fround;
  it.each([
    [
      'float32, range from data',
      'float32',
      undefined,
      { count: 2, min: f(0.1), max: f(0.7) },
      { offset: f(0.1), span: f(f(0.7) - f(0.1)), float32Subtract: true, float32Scale: true },
    ],
    [
      'float32, given range',
      'float32',
      [0.7, 1.3],
      undefined,
      { offset: f(0.7), span: 1.3 - 0.7, float32Subtract: true, float32Scale: false },
    ],
    [
      'int64, range from data',
      'int64',
      undefined,
      { count: 2, min: -(2n ** 62n), max: 2n ** 62n + 1n },
      { offset: -(2 ** 62), span: Number(2n ** 63n + 1n), float32Subtract: false, float32Scale: false },
    ],
    [
      'int16, constant data',
      'int16',
      undefined,
      { count: 3, min: -9, max: -9 },
      { offset: -9.5, span: 1, float32Subtract: false, float32Scale: false },
    ],
  ] as const)("plans numpy's arithmetic for %s", (_label, dtype, range, data, want) => {
    expect(planBins(dtype, 4, range, data)).toMatchObject(want);
  });

  it('counts nothing in a batch of history rows only', () => {
    const p = stage.params.parse({ column: 'value', range: [0, 1] }) as HistogramParams;
    const acc = new HistogramAccumulator('value', histogramPlan(p, 'float64', undefined, 'RANGE_INVALID'));
    acc.add(makeBatch({ value: new Float64Array([0.5, 2, NaN]) }, { history: 3 }));
    expect(acc.result()).toMatchObject({ counts: Array(10).fill(0), underflow: 0, overflow: 0, nan: 0 });
  });

  it('refuses to merge histograms with different edges', () => {
    const p = stage.params.parse({ column: 'value', range: [0, 1] }) as HistogramParams;
    const q = stage.params.parse({ column: 'value', range: [0, 2] }) as HistogramParams;
    const a = new HistogramAccumulator('value', histogramPlan(p, 'float64', undefined, 'RANGE_INVALID'));
    const b = new HistogramAccumulator('value', histogramPlan(q, 'float64', undefined, 'RANGE_INVALID'));
    expect(() => a.merge(b)).toThrow(expect.objectContaining({ code: 'RANGE_INVALID' }));
  });

  it('asks for a min/max pass only without a range, and needs its result', async () => {
    const schema = schemaOf({ value: new Float32Array(0) });
    const auto = stage.params.parse({ column: 'value' });
    expect(stage.prepare?.(auto, schema)).toBeInstanceOf(RangeAccumulator);
    expect(stage.prepare?.(stage.params.parse({ column: 'value', range: [0, 1] }), schema)).toBeUndefined();
    await expect(Promise.resolve().then(() => stage.create(auto, sinkContext(schema)))).rejects.toMatchObject(
      {
        code: 'STAGE_FAILED',
      },
    );
  });

  it('int64 values convert to float64 as numpy casts them', async () => {
    const table = { value: BigInt64Array.from([2n ** 53n + 1n, 2n ** 53n + 3n, -5n]) };
    const sink = await openSink(
      stage,
      { column: 'value', bins: 2, range: [0, 2 ** 53 + 4] },
      schemaOf(table),
      [],
    );
    await sink.write(makeBatch(table));
    expect(await sink.finish()).toMatchObject({ counts: [0, 2], underflow: 1, overflow: 0 });
  });

  describe('params', () => {
    it('parses the defaults and YAML-shaped params', () => {
      expect(stage.params.parse(parseYaml('column: value'))).toEqual({ column: 'value', bins: 10 });
      expect(stage.params.parse(parseYaml('column: v\nbins: 3\nrange: [-1, 2.5]\nout: h.json'))).toEqual({
        column: 'v',
        bins: 3,
        range: [-1, 2.5],
        out: 'h.json',
      });
    });

    it.each([
      ['bins: 3', ['column']],
      ['column: v\nbins: 0', ['bins']],
      ['column: v\nbins: 2.5', ['bins']],
      ['column: v\nrange: [2, 1]', ['range']],
      ['column: v\nrange: [1, 1]', ['range']],
      ['column: v\nrange: [0]', ['range']],
      ['column: v\nrange: [0, .inf]', ['range', 1]],
      ['column: v\nrange: [0, 1]\nbinz: 3', []],
    ])('rejects %j at its path', (yaml, path) => {
      const result = stage.params.safeParse(parseYaml(yaml));
      expect(result.success).toBe(false);
      expect(result.error?.issues[0].path).toEqual(path);
    });

    it('check refuses an unknown column and a range too narrow for float32 edges', () => {
      const schema = schemaOf({ a: new Float32Array(1), b: new Float64Array(1) });
      const check = (params: unknown) => () => stage.check?.(stage.params.parse(params), schema);
      expect(check({ column: 'c' })).toThrow(
        expect.objectContaining({
          code: 'COLUMN_UNKNOWN',
          hint: expect.stringContaining('Available columns: a, b.'),
        }),
      );
      const narrow = { bins: 10, range: [1, 1 + 2 ** -22] };
      expect(check({ column: 'a', ...narrow })).toThrow(expect.objectContaining({ code: 'PARAMS_INVALID' }));
      expect(check({ column: 'b', ...narrow })).not.toThrow();
    });
  });
});
