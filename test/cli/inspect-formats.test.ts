/**
 * `sluice inspect` on the formats of issue 15: Parquet, Arrow (file and stream) and CSV found
 * by magic bytes or extension, and HDF5 files listed (text and --json) when no dataset,
 * group or layout is named, pandas tables included.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const T = 'test/fixtures/tabular';
const dir = mkdtempSync(join(tmpdir(), 'sluice-inspect-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function inspectJson(...args: string[]): Promise<Record<string, unknown>> {
  const result = await runCli(['inspect', ...args, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('sluice inspect: Parquet, Arrow, CSV', () => {
  it('detects each format by extension', async () => {
    for (const [file, format] of [
      ['duckdb-gzip.parquet', 'parquet'],
      ['apache-arrow.arrow', 'arrow'],
      ['apache-arrow.arrows', 'arrow'],
      ['pandas.csv', 'csv'],
      ['pandas.tsv', 'csv'],
    ]) {
      const report = await inspectJson(`${T}/${file}`);
      expect(report, file).toMatchObject({ kind: 'table', format });
    }
  });

  it('detects Parquet (PAR1) and Arrow (ARROW1, 0xFFFFFFFF) by their magic bytes under any name', async () => {
    for (const [file, format] of [
      ['duckdb-zstd.parquet', 'parquet'],
      ['apache-arrow.arrow', 'arrow'],
      ['apache-arrow.arrows', 'arrow'],
    ]) {
      const renamed = join(dir, `${file}.bin`);
      copyFileSync(`${T}/${file}`, renamed);
      const report = await inspectJson(renamed, '--head', '2');
      expect(report, file).toMatchObject({ kind: 'table', format });
      expect((report.head as Record<string, unknown[]>).f64).toHaveLength(2);
    }
  });

  it('prints the columns, the unsupported ones and the first rows as text', async () => {
    const result = await runCli(['inspect', `${T}/duckdb-zstd.parquet`, '--head', '2']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('duckdb-zstd.parquet: parquet');
    expect(result.stdout).toContain('ts: int64 (us since 1970-01-01)');
    expect(result.stdout).toContain('unsupported: ["label: Utf8","price: Decimal[10e+2]"]');
    expect(result.stdout).toContain('i8: -128, -127');
  });
});

describe('sluice inspect: HDF5 listing', () => {
  it('lists a pandas table instead of failing on its compound type', async () => {
    const result = await runCli(['inspect', 'test/fixtures/pandas/table-data-columns.h5']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(
      'test/fixtures/pandas/table-data-columns.h5: HDF5 (superblock v0), 2 groups, 1 datasets',
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}\/df\/table +Dataset \{10\} compound \{index: int64, x \(nm\): float32, .*\}, chunked \{1985\}$/,
      ),
    );
    expect(lines).toContain(
      'pandas table /df (frame_table): 10 rows; columns x (nm), mc (Da), pulse, det, u',
    );
  });

  it('lists a PyCCAPT file with its layout; --json gives the same listing as data', async () => {
    const text = await runCli(['inspect', 'test/fixtures/hdf5/pyccapt.h5']);
    expect(text.stdout).toMatch(/^ {2}\/dld\/t +Dataset \{1500\} float64, contiguous @ byte 26048$/m);
    expect(text.stdout).toContain('layout: pyccapt-raw (1,500 rows; /dld/x → x_det (cm)');
    const report = await inspectJson('test/fixtures/hdf5/pyccapt.h5');
    expect(report).toMatchObject({ kind: 'listing', format: 'hdf5' });
    const listing = report.listing as {
      entries: { path: string; layout?: string }[];
      layouts: { layout: string }[];
    };
    expect(listing.entries.map((e) => e.path)).toEqual([
      '/',
      '/dld',
      '/dld/high_voltage',
      '/dld/laser_pulse',
      '/dld/pulse',
      '/dld/start_counter',
      '/dld/t',
      '/dld/x',
      '/dld/y',
    ]);
    expect(listing.layouts.map((l) => l.layout)).toEqual(['pyccapt-raw']);
  });

  it('still reads a table when a dataset, group or layout is named', async () => {
    const report = await inspectJson(
      'test/fixtures/hdf5/pyccapt.h5',
      '--set',
      'layout=pyccapt-raw',
      '--head',
      '1',
    );
    expect(report).toMatchObject({ kind: 'table', format: 'hdf5', rows: 1500 });
  });

  it('a file that is no HDF5 but named .h5 is a typed error', async () => {
    const fake = join(dir, 'fake.h5');
    copyFileSync(`${T}/pandas.csv`, fake);
    const result = await runCli(['inspect', fake]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/FORMAT_INVALID/);
  });
});
