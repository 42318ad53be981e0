import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Batch } from '../../src/core/batch.ts';
import { SluiceError } from '../../src/core/errors.ts';
import { Registry } from '../../src/core/registry.ts';
import type { SinkStage } from '../../src/core/stage.ts';
import { sinks } from '../../src/sinks/index.ts';
import type { ColumnStats, StatsResult } from '../../src/sinks/stats.ts';
import { StatsAccumulator } from '../../src/sinks/stats.ts';
import { ExactMoments } from '../../src/stats/exact-moments.ts';
import { int64WordsToNumber, toInt64Words } from '../../src/stats/numeric.ts';
import type { Table } from '../support/batches.ts';
import { chunkBatches, makeBatch, rowCountOf, schemaOf } from '../support/batches.ts';
import { goldenCases, goldenPath, readGolden } from '../support/golden.ts';
import { mergeInOrders, shardRows } from '../support/shards.ts';
import { readNpyColumn } from '../support/read-npy.ts';
import { runSink } from '../support/run-sink.ts';

const stage = new Registry(sinks).get('stats') as SinkStage;
const CHUNK_SIZES = [1, 7, 4096, 1 << 20];
const HISTORY = 5;

interface StatsGolden {
  readonly inputs: Record<string, string>;
  readonly params: Record<string, unknown>;
  readonly expected: StatsResult;
}

function loadCase(name: string): { golden: StatsGolden; table: Table } {
  const golden = readGolden<StatsGolden>('stats', name);
  const table: Table = Object.fromEntries(
    Object.entries(golden.inputs).map(([column, file]) => [column, readNpyColumn(goldenPath('stats', file))]),
  );
  return { golden, table };
}

/** Exact for count, min, max, nanCount and non-finite values; mean and std within 1e-12 relative. */
function expectStats(actual: StatsResult, expected: StatsResult): void {
  expect(Object.keys(actual.columns)).toEqual(Object.keys(expected.columns));
  for (const [name, want] of Object.entries(expected.columns)) {
    const got: ColumnStats = actual.columns[name];
    const { mean, std, ...exact } = got;
    const { mean: wantMean, std: wantStd, ...wantExact } = want;
    expect(exact, name).toEqual(wantExact);
    expectClose(mean, wantMean, `${name}.mean`);
    expectClose(std, wantStd, `${name}.std`);
  }
}

function expectClose(actual: unknown, expected: unknown, label: string): void {
  if (typeof expected !== 'number') return void expect(actual, label).toEqual(expected);
  expect(typeof actual, label).toBe('number');
  const error = Math.abs((actual as number) - expected);
  expect(error, `${label}: ${String(actual)} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.abs(expected));
}

async function statsOf(golden: StatsGolden, table: Table, batches: readonly Batch[]): Promise<StatsResult> {
  return (await runSink(stage, golden.params, schemaOf(table), batches)) as StatsResult;
}

describe('stats sink', () => {
  describe.each(goldenCases('stats'))('golden %s', (name) => {
    const { golden, table } = loadCase(name);
    const rows = rowCountOf(table);

    it('matches numpy in one batch', async () => {
      expectStats(await statsOf(golden, table, [makeBatch(table)]), golden.expected);
    });

    it.each([...CHUNK_SIZES, rows + 3])(
      'matches numpy in chunks of %i rows with look-back',
      async (chunk) => {
        const batches = chunkBatches(table, chunk, { history: HISTORY });
        expect(batches.slice(1).every((b) => b.history > 0)).toBe(true);
        expectStats(await statsOf(golden, table, batches), golden.expected);
      },
    );

    it('merging shards in any order and grouping equals one pass', () => {
      const columns = Object.keys(golden.expected.columns);
      const fresh = () => new StatsAccumulator(columns);
      const build = () =>
        shardRows(rows, 5, name.length).map(([startRow, endRow]) => {
          const acc = fresh();
          for (const batch of chunkBatches(table, 701, { history: HISTORY, startRow, endRow }))
            acc.add(batch);
          return acc;
        });
      for (const merged of mergeInOrders(build, fresh, 11)) expectStats(merged.result(), golden.expected);
    });
  });

  it('refuses to merge accumulators of different columns with a SluiceError', () => {
    const merging = () => new StatsAccumulator(['a']).merge(new StatsAccumulator(['a', 'b']));
    expect(merging).toThrow(SluiceError);
    expect(merging).toThrow(expect.objectContaining({ code: 'COLUMN_UNKNOWN', hint: expect.any(String) }));
  });

  it('counts nothing in a batch of history rows only', () => {
    const acc = new StatsAccumulator(['x']);
    acc.add(makeBatch({ x: new Float64Array([1, 2, 3]) }, { history: 3 }));
    expect(acc.result().columns.x).toEqual({
      count: 0,
      mean: null,
      std: null,
      min: null,
      max: null,
      nanCount: 0,
    });
  });

  it('sums up-to-32-bit integers exactly, however many values a batch holds', () => {
    // 2^22 values of 2^32 - 1 sum past 2^53, where a double no longer holds every integer.
    const rows = 2 ** 22 + 3;
    const table = { u: new Uint32Array(rows).fill(2 ** 32 - 1), i: new Int32Array(rows).fill(1 - 2 ** 31) };
    const acc = new StatsAccumulator(['u', 'i']);
    acc.add(makeBatch(table));
    const { u, i } = acc.result().columns;
    expect(u).toMatchObject({ count: rows, mean: 2 ** 32 - 1, std: 0, min: 2 ** 32 - 1 });
    expect(i).toMatchObject({ count: rows, mean: 1 - 2 ** 31, std: 0, max: 1 - 2 ** 31 });
  });

  it.each([1, 7, 64, 4096])(
    'keeps the digits of data with a large offset in chunks of %i rows',
    async (chunk) => {
      // x = 1e8 + k/64 with small integers k: every value is exact, and so is the reference.
      const rows = 9001;
      const k = Int32Array.from({ length: rows }, (_, r) => (((r * 2654435761) >>> 0) % 129) - 64);
      const x = Float64Array.from(k, (v) => 1e8 + v / 64);
      const sum = k.reduce((s, v) => s + v, 0);
      const squares = k.reduce((s, v) => s + v * v, 0);
      const std = Math.sqrt((rows * squares - sum * sum) / (4096 * rows * rows));
      const batches = chunkBatches({ x }, chunk, { history: HISTORY });
      const result = (await runSink(stage, {}, schemaOf({ x }), batches)) as StatsResult;
      expect(Math.abs((result.columns.x.std as number) - std) / std).toBeLessThan(1e-13);
      expect(result.columns.x.mean).toBeCloseTo(1e8 + sum / 64 / rows, 7);
    },
  );

  it('converts int64 words exactly as Number(bigint) rounds', () => {
    const edge = [
      0n,
      1n,
      -1n,
      2n ** 53n + 1n,
      2n ** 53n + 3n,
      -(2n ** 53n) - 3n,
      2n ** 63n - 1n,
      -(2n ** 63n),
      2n ** 62n + 513n,
    ];
    const signed = BigInt64Array.from(edge);
    const words = toInt64Words(signed);
    signed.forEach((v, i) => expect(int64WordsToNumber(words, i, true)).toBe(Number(v)));
    const unsigned = BigUint64Array.from([
      0n,
      2n ** 64n - 1n,
      2n ** 63n + 1025n,
      2n ** 64n - 1025n,
      2n ** 53n + 1n,
    ]);
    const uwords = toInt64Words(unsigned);
    unsigned.forEach((v, i) => expect(int64WordsToNumber(uwords, i, false)).toBe(Number(v)));
    const m = new ExactMoments();
    m.add(signed.subarray(1));
    expect([m.min, m.max]).toEqual([-(2n ** 63n), 2n ** 63n - 1n]);
  });

  describe('params', () => {
    it('parses the defaults and YAML-shaped params', () => {
      expect(stage.params.parse({})).toEqual({});
      expect(stage.params.parse(parseYaml('out: out/stats.json\ncolumns: [a, b]'))).toEqual({
        out: 'out/stats.json',
        columns: ['a', 'b'],
      });
    });

    it.each([
      ['columns: a', ['columns']],
      ['columns: [a, a]', ['columns']],
      ['columns: []', ['columns']],
      ['out: 3', ['out']],
      ['bins: 3', []],
    ])('rejects %j at its path', (yaml, path) => {
      const result = stage.params.safeParse(parseYaml(yaml));
      expect(result.success).toBe(false);
      expect(result.error?.issues[0].path).toEqual(path);
    });

    it('check names the unknown column and lists the available ones, touching no file', () => {
      const schema = schemaOf({ a: new Float64Array(1), b: new Int16Array(1) });
      const params = stage.params.parse({ columns: ['a', 'nope'], out: '/nonexistent/dir/stats.json' });
      let error: unknown;
      try {
        stage.check?.(params, schema);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SluiceError);
      expect(error).toMatchObject({
        code: 'COLUMN_UNKNOWN',
        hint: expect.stringContaining('Available columns: a, b.'),
      });
      expect(stage.outputs(params)).toEqual(['/nonexistent/dir/stats.json']);
    });
  });
});
