/**
 * spectrum-average equals a numpy re-implementation of TraceKit's chunked_fft
 * (test/fixtures/spectrum-average/make_goldens.py) for every chunk size, and shards merge.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../../src/pipeline/api.ts';
import stage from '../../src/sinks/spectrum-average.ts';
import { SpectrumAverageAccumulator, segmentGeometry } from '../../src/dsp/spectrum-average-accumulator.ts';
import type { SpectrumAverageResult } from '../../src/dsp/spectrum-average-accumulator.ts';
import { chunkBatches } from '../support/batches.ts';
import { goldenCases, readGolden } from '../support/golden.ts';
import { mergeInOrders, shardRows } from '../support/shards.ts';

interface Case {
  input: string;
  source: { startRow?: number; endRow?: number };
  params: { chunkSize: number } & Record<string, unknown>;
  expected: { frequencies: number[]; magnitudeDb: number[]; segments: number; nfft: number };
}

const SIGNAL_ROWS = 6007;

async function runCase(c: Case, chunkRows: number): Promise<SpectrumAverageResult> {
  const report = await run({
    source: {
      type: 'npy',
      path: `test/fixtures/spectrum-average/${c.input}`,
      sampleRate: 1e4,
      chunkRows,
      ...c.source,
    },
    sinks: [{ type: 'spectrum-average', ...c.params }],
  });
  return report.sinks[0].result as SpectrumAverageResult;
}

/**
 * Magnitudes (from dB) within 1e-9 relative, or 1e-12 of the largest bin for bins that are
 * rounding noise (the DC bin of a mean-removed boxcar segment is ~1e-17 in both).
 */
function expectClose(actual: SpectrumAverageResult, expected: Case['expected']): void {
  expect(actual.segments).toBe(expected.segments);
  expect(actual.nfft).toBe(expected.nfft);
  expect(actual.frequencies.length).toBe(expected.frequencies.length);
  const magnitude = (db: number) => 10 ** (db / 20);
  const peak = Math.max(...expected.magnitudeDb.map(magnitude));
  for (let k = 0; k < expected.magnitudeDb.length; k++) {
    expect(Math.abs(actual.frequencies[k] - expected.frequencies[k])).toBeLessThanOrEqual(1e-9);
    const [a, e] = [magnitude(actual.magnitudeDb[k]), magnitude(expected.magnitudeDb[k])];
    expect(
      Math.abs(a - e),
      `bin ${k}: ${actual.magnitudeDb[k]} dB vs ${expected.magnitudeDb[k]} dB`,
    ).toBeLessThanOrEqual(Math.max(1e-9 * e, 1e-12 * peak));
  }
}

describe.each(goldenCases('spectrum-average'))('%s equals chunked_fft', (name) => {
  const c = readGolden<Case>('spectrum-average', name);
  const n = c.params.chunkSize;
  const rows = (c.source.endRow ?? SIGNAL_ROWS) - (c.source.startRow ?? 0);
  it('for every chunk size, identically', async () => {
    const results: SpectrumAverageResult[] = [];
    for (const chunkRows of [n - 1, n, 3 * n + 5, 1 << 20, rows]) {
      if (chunkRows < 1) continue;
      results.push(await runCase(c, chunkRows));
    }
    expectClose(results[0], c.expected);
    for (const r of results.slice(1)) {
      expect(r.segments).toBe(results[0].segments);
      r.magnitudeDb.forEach((db, k) =>
        expect(Math.abs(db - results[0].magnitudeDb[k])).toBeLessThanOrEqual(1e-12 * Math.abs(db) + 1e-12),
      );
    }
  });
});

describe('spectrum-average', () => {
  it('parses TraceKit defaults', () => {
    expect(stage.params.parse({})).toEqual({
      column: 'value',
      chunkSize: 10_000_000,
      overlap: 50,
      window: 'hann',
    });
  });

  it.each([
    [{ overlap: 100 }, 'overlap'],
    [{ window: 'hanning2' }, 'window'],
    [{ chunkSize: 512, nfft: 256 }, 'nfft'],
    [{ out: 'x.txt' }, 'out'],
    [{ chunksize: 4 }, ''],
  ])('rejects %j at its path', (params, path) => {
    const parsed = stage.params.safeParse(params);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].path.join('.')).toBe(path);
  });

  it('derives the hop as TraceKit does (int of the percentage)', () => {
    expect(segmentGeometry(300, 33.3)).toEqual({ hop: 201, overlap: 99 });
    expect(segmentGeometry(256, 50)).toEqual({ hop: 128, overlap: 128 });
  });

  it('refuses a missing or wide column before reading data', () => {
    const schema = { columns: [{ name: 'signal', dtype: 'int16' as const, width: 1 }] };
    expect(() => stage.check?.(stage.params.parse({}), schema)).toThrow(/no column 'value'/);
    const wide = { columns: [{ name: 'value', dtype: 'float64' as const, width: 3 }] };
    expect(() => stage.check?.(stage.params.parse({}), wide)).toThrow(/width 3/);
  });

  it('merges row-range shards in any order into the one-pass result', () => {
    const x = new Float64Array(3000).map((_, i) => Math.sin(i * 0.3) + ((i * 7919) % 13) / 13);
    const p = stage.params.parse({ chunkSize: 200, overlap: 40 });
    const schema = { columns: [{ name: 'value', dtype: 'float64' as const, width: 1 }], sampleRate: 1 };
    const whole = new SpectrumAverageAccumulator(p, schema);
    for (const b of chunkBatches({ value: x }, 333, { history: 199 })) whole.add(b);
    const expected = whole.result();
    const build = () =>
      shardRows(3000, 5, 7).map(([startRow, endRow]) => {
        const acc = new SpectrumAverageAccumulator(p, schema);
        for (const b of chunkBatches({ value: x }, 97, { history: 199, startRow, endRow })) acc.add(b);
        return acc;
      });
    for (const merged of mergeInOrders(build, () => new SpectrumAverageAccumulator(p, schema), 3)) {
      const r = merged.result();
      expect(r.segments).toBe(expected.segments);
      r.magnitudeDb.forEach((db, k) => expect(db).toBeCloseTo(expected.magnitudeDb[k], 10));
    }
  });

  it('merges shards of a signal shorter than chunkSize', () => {
    const x = new Float64Array(150).map((_, i) => Math.cos(i * 0.2));
    const p = stage.params.parse({ chunkSize: 256 });
    const schema = { columns: [{ name: 'value', dtype: 'float64' as const, width: 1 }] };
    const whole = new SpectrumAverageAccumulator(p, schema);
    for (const b of chunkBatches({ value: x }, 1000)) whole.add(b);
    const build = () =>
      shardRows(150, 4, 11).map(([startRow, endRow]) => {
        const acc = new SpectrumAverageAccumulator(p, schema);
        for (const b of chunkBatches({ value: x }, 16, { history: 255, startRow, endRow })) acc.add(b);
        return acc;
      });
    for (const merged of mergeInOrders(build, () => new SpectrumAverageAccumulator(p, schema), 5))
      expect(merged.result()).toEqual(whole.result());
  });

  it('gives an empty result for an empty input', () => {
    const acc = new SpectrumAverageAccumulator(stage.params.parse({ chunkSize: 8 }), {
      columns: [{ name: 'value', dtype: 'float64', width: 1 }],
    });
    expect(acc.result()).toMatchObject({ frequencies: [], magnitudeDb: [], segments: 0 });
  });
});
