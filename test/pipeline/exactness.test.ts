/**
 * docs/design.md §7: an accumulator's result is a function of the data alone. The same NPY file
 * gives the same bits at every chunk size and thread count (stats, welch, spectrum-average), and
 * the stats mean is the exact rational mean of the values, correctly rounded (checked with
 * BigInt arithmetic in test/stats/exact-oracle.ts, independent of src/stats).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { TypedArray } from '../../src/core/dtype.ts';
import { writeTable } from '../../src/formats/write-table.ts';
import type { PipelineDefinition } from '../../src/pipeline/api.ts';
import { run } from '../../src/pipeline/api.ts';
import { isCorrectlyRounded, referenceOf } from '../stats/exact-oracle.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-exact-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHUNK_ROWS = [1, 7, 4096, 65537, 1 << 20];
let files = 0;

async function npyOf(values: TypedArray): Promise<string> {
  const path = join(dir, `v${files++}.npy`);
  await writeTable(path, { value: values });
  return path;
}

interface ColumnStats {
  count: number;
  nanCount: number;
  mean: number | string | null;
  std: number | string | null;
}

async function resultsOf(definition: PipelineDefinition, workers = 1, rows = Infinity): Promise<unknown[]> {
  const report = await run(definition, { workers, log: () => {} });
  // Asked for threads, the main pass must really be split (or the comparison proves nothing);
  // a file of fewer rows than threads gets a thread a row.
  expect(report.threads).toBe(Math.max(1, Math.min(workers, rows)));
  return report.sinks.map((s) => s.result);
}

/** Every chunk size (and one more than the file) and 1–3 threads give identical results. */
async function expectSameEverywhere(
  path: string,
  rows: number,
  sinks: PipelineDefinition['sinks'],
  smallest = 1,
) {
  const runs = async (chunkRows: number, workers: number) =>
    resultsOf({ source: { type: 'npy', path, chunkRows }, sinks }, workers, rows);
  const reference = await runs(4096, 1);
  const sizes = [...CHUNK_ROWS.filter((c) => c >= smallest && (c <= 7 || c < rows * 4)), rows + 1];
  for (const chunkRows of sizes) expect(await runs(chunkRows, 1)).toEqual(reference);
  for (const workers of [2, 3]) expect(await runs(65537, workers)).toEqual(reference);
  return reference;
}

function expectExactMean(values: ArrayLike<number | bigint>, stats: ColumnStats): void {
  const ref = referenceOf(values);
  expect(stats.count).toBe(ref.count);
  expect(stats.nanCount).toBe(ref.nanCount);
  if (ref.posInf + ref.negInf > 0 || ref.count === 0) return;
  const mean = Number(stats.mean);
  expect(isCorrectlyRounded(mean, ref.sum, ref.sumExponent, BigInt(ref.count))).toBe(true);
}

const special = fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1e-310, 3e38, -3e38, 1e300, -1e-300);

function float64Values() {
  return fc.array(fc.oneof({ weight: 8, arbitrary: fc.double() }, { weight: 1, arbitrary: special }), {
    maxLength: 300,
  });
}

describe('exact accumulators (property)', () => {
  it('float32 and float64: identical at every chunk size and thread count; the mean is correctly rounded', async () => {
    await fc.assert(
      fc.asyncProperty(
        float64Values(),
        fc.boolean(),
        fc.double({ min: -1e6, max: 1e6 }),
        async (xs, f32, drift) => {
          const data = f32 ? new Float32Array(xs.length) : new Float64Array(xs.length);
          xs.forEach((x, i) => (data[i] = Number.isFinite(x) ? x + drift * i : x));
          const [stats] = (await expectSameEverywhere(await npyOf(data), data.length, [
            { type: 'stats' },
          ])) as {
            columns: { value: ColumnStats };
          }[];
          expectExactMean(data, stats.columns.value);
        },
      ),
      { numRuns: 8, seed: 1010 },
    );
  }, 120_000);

  it('int64: identical everywhere; the mean of the exact integers is correctly rounded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 200 }),
        async (xs) => {
          const data = BigInt64Array.from(xs.map((x, i) => BigInt.asIntN(64, x + 3n * BigInt(i))));
          const [stats] = (await expectSameEverywhere(await npyOf(data), data.length, [
            { type: 'stats' },
          ])) as {
            columns: { value: ColumnStats };
          }[];
          expectExactMean(data, stats.columns.value);
        },
      ),
      { numRuns: 5, seed: 2020 },
    );
  }, 120_000);
});

/** A slow sine plus a trend, noise and 137 NaNs, 3,000,017 float32 rows (the shape). */
function driftSignal(): Float32Array {
  const n = 3_000_017;
  const data = new Float32Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = (seed / 2 ** 32 - 0.5) * 0.01;
    data[i] = 1.5 + Math.sin(i / 50_000) * 0.25 + (i / n - 0.5) * 1e-3 + noise;
  }
  for (let k = 0; k < 137; k++) data[(k * 21_893 + 7) % n] = NaN;
  return data;
}

describe('exact accumulators (the issue’s cases)', () => {
  it('a 3,000,017-row float32 drift signal: one mean, the exact one, at every chunk size and thread count', async () => {
    const data = driftSignal();
    const path = await npyOf(data);
    const results = new Set<string>();
    for (const chunkRows of [4096, 1 << 20, 10_000_000]) {
      const [stats] = await resultsOf({
        source: { type: 'npy', path, chunkRows },
        sinks: [{ type: 'stats' }],
      });
      results.add(JSON.stringify(stats));
    }
    for (const workers of [2, 3]) {
      const [stats] = await resultsOf({ source: { type: 'npy', path }, sinks: [{ type: 'stats' }] }, workers);
      results.add(JSON.stringify(stats));
    }
    expect(results.size).toBe(1);
    const stats = JSON.parse([...results][0]) as { columns: { value: ColumnStats } };
    expect(stats.columns.value.nanCount).toBe(137);
    expectExactMean(data, stats.columns.value);
  }, 120_000);

  it('a float32 ramp (np.linspace(-1, 1.002, 2**21)) has its exact mean at 4096, 1 Mi and 4 Mi rows', async () => {
    const n = 2 ** 21;
    const step = (1.002 - -1) / (n - 1);
    const data = Float32Array.from({ length: n }, (_, i) => (i === n - 1 ? 1.002 : -1 + i * step));
    const path = await npyOf(data);
    const means = new Set<number | string | null>();
    for (const chunkRows of [4096, 1 << 20, 1 << 22]) {
      const [stats] = (await resultsOf({
        source: { type: 'npy', path, chunkRows },
        sinks: [{ type: 'stats' }],
      })) as {
        columns: { value: ColumnStats };
      }[];
      expectExactMean(data, stats.columns.value);
      means.add(stats.columns.value.mean);
    }
    expect(means.size).toBe(1);
  }, 60_000);

  it('welch (mean and median) and spectrum-average: identical bits at every chunk size and thread count', async () => {
    const n = 300_001;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++)
      data[i] = Math.sin(i * 0.013) + 0.3 * Math.sin(i * 0.41) + (i % 17) * 1e-3 + i * 1e-6;
    const path = await npyOf(data);
    await expectSameEverywhere(
      path,
      n,
      [
        { type: 'welch', nperseg: 1024 },
        { type: 'welch', nperseg: 256, average: 'median' },
      ],
      7,
    );
    await expectSameEverywhere(path, n, [{ type: 'spectrum-average', chunkSize: 2048 }], 7);
  }, 180_000);
});
