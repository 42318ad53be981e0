/**
 * The foundation's promise, end to end: for every NPY variant and the raw interleaved
 * big-endian int16 fixture, a spec-shaped pipeline's `stats` and `histogram` equal numpy's
 * on the whole array (goldens by test/fixtures/make_fixtures.py), for every chunk size.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/pipeline/api.ts';
import type { StageRef } from '../../src/pipeline/api.ts';
import { readGolden } from '../support/golden.ts';

interface ManifestEntry {
  file: string;
  stage: string;
  params: Record<string, unknown>;
  rows: number;
  columns: Record<string, unknown>;
}
type Histogram = { edges: number[]; counts: number[]; underflow: number; overflow: number; nan: number };
type ColumnStats = Record<'count' | 'mean' | 'std' | 'min' | 'max' | 'nanCount', number | string | null>;
interface SourceGolden {
  stats: { columns: Record<string, ColumnStats> };
  histograms: Record<string, { auto: Histogram; ranged: Histogram }>;
}

const manifest = JSON.parse(readFileSync('test/fixtures/sources-manifest.json', 'utf8')) as Record<
  string,
  ManifestEntry
>;
const BINS = 37;

function sinksFor(golden: SourceGolden): StageRef[] {
  const sinks: StageRef[] = [{ type: 'stats' }];
  for (const [column, { ranged }] of Object.entries(golden.histograms)) {
    sinks.push({ type: 'histogram', column, bins: BINS });
    sinks.push({ type: 'histogram', column, bins: BINS, range: [ranged.edges[0], ranged.edges[BINS]] });
  }
  return sinks;
}

function expectCloseStats(actual: ColumnStats, expected: ColumnStats, where: string): void {
  for (const key of ['count', 'nanCount', 'min', 'max'] as const)
    expect(actual[key], `${where}.${key}`).toEqual(expected[key]);
  for (const key of ['mean', 'std'] as const) {
    const [a, e] = [actual[key], expected[key]];
    if (typeof e !== 'number' || typeof a !== 'number') expect(a, `${where}.${key}`).toEqual(e);
    else
      expect(Math.abs(a - e), `${where}.${key}: ${a} vs ${e}`).toBeLessThanOrEqual(
        1e-12 * Math.max(Math.abs(e), 1e-300),
      );
  }
}

describe.each(Object.entries(manifest))('%s equals numpy', (name, entry) => {
  const golden = readGolden<SourceGolden>('sources', name);
  it.each([1, 7, 4096, 1 << 20, entry.rows + 1])('with chunkRows %i', async (chunkRows) => {
    const source = { type: entry.stage, path: `test/fixtures/${entry.file}`, ...entry.params, chunkRows };
    const report = await run({ source, sinks: sinksFor(golden) });
    expect(report.rowsRead).toBe(entry.rows);
    for (const sink of report.sinks) expect(sink.rows).toBe(entry.rows);
    const stats = report.sinks[0].result as { columns: Record<string, ColumnStats> };
    expect(Object.keys(stats.columns).sort()).toEqual(Object.keys(golden.stats.columns).sort());
    for (const [column, expected] of Object.entries(golden.stats.columns)) {
      expectCloseStats(stats.columns[column], expected, `${name}.${column}`);
    }
    Object.entries(golden.histograms).forEach(([column, { auto, ranged }], i) => {
      expect(report.sinks[1 + 2 * i].result, `${column} auto`).toEqual({ column, ...auto });
      expect(report.sinks[2 + 2 * i].result, `${column} ranged`).toEqual({ column, ...ranged });
    });
  });
});
