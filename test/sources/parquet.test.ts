/**
 * The parquet source against DuckDB's files (every codec, nulls, timestamps, dates, unsigned
 * and unsupported columns) and their DuckDB-read golden (test/fixtures/tabular/
 * make_tabular_fixtures.mjs); round trips through sluice's parquet sink; row ranges that
 * decode only the row groups holding them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.ts';
import { openParquetFile } from '../../src/formats/parquet/reader.ts';
import { makeWriterTable } from '../support/writer-table.ts';
import { fixture } from './source-harness.ts';
import {
  expectHistoryConsistent,
  expectWriterColumns,
  fromGolden,
  fround,
  readColumns,
  writeTableWith,
} from './tabular-harness.ts';

const golden = JSON.parse(readFileSync(fixture('tabular/duckdb-golden.json'), 'utf8')) as {
  rows: number;
  columns: Record<string, unknown[]>;
};
const dir = mkdtempSync(join(tmpdir(), 'sluice-parquet-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NUMERIC = ['f64', 'f32', 'i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'b', 'ts', 'ts_ns', 'd'];
const BIG = new Set(['i64', 'u64', 'ts', 'ts_ns']);

describe('parquet source: DuckDB files', () => {
  for (const codec of ['zstd', 'snappy', 'gzip', 'uncompressed']) {
    it(`${codec}: every numeric column equals DuckDB's reading`, async () => {
      const { source, columns } = await readColumns('parquet', {
        path: fixture(`tabular/duckdb-${codec}.parquet`),
        columns: NUMERIC,
        chunkRows: 1000,
      });
      expect(source.rows).toBe(golden.rows);
      const dtypes = Object.fromEntries(source.schema.columns.map((c) => [c.name, c.dtype]));
      expect(dtypes).toEqual({
        f64: 'float64',
        f32: 'float32',
        i8: 'int8',
        i16: 'int16',
        i32: 'int32',
        i64: 'int64',
        u8: 'uint8',
        u16: 'uint16',
        u32: 'uint32',
        u64: 'uint64',
        b: 'uint8',
        ts: 'int64',
        ts_ns: 'int64',
        d: 'int32',
      });
      for (const name of NUMERIC) {
        const expected = fromGolden(golden.columns[name], BIG.has(name));
        expect(columns[name], name).toEqual(name === 'f32' ? fround(expected) : expected);
      }
      const unit = (name: string) => source.schema.columns.find((c) => c.name === name)?.unit;
      expect(unit('ts')).toBe('us since 1970-01-01');
      expect(unit('ts_ns')).toBe('ns since 1970-01-01');
      expect(unit('d')).toBe('days since 1970-01-01');
    });
  }

  it('lists the text and decimal columns as unsupported and refuses them only when selected', async () => {
    const path = fixture('tabular/duckdb-zstd.parquet');
    const { source } = await readColumns('parquet', { path, columns: ['f64'] });
    expect(source.details.unsupported).toEqual(['label: Utf8', 'price: Decimal[10e+2]']);
    await expect(readColumns('parquet', { path, columns: ['label'] })).rejects.toMatchObject({
      code: 'FORMAT_UNSUPPORTED',
      subject: 'label',
    });
    await expect(readColumns('parquet', { path, columns: ['nope'] })).rejects.toMatchObject({
      code: 'COLUMN_UNKNOWN',
    });
  });

  it('nulls in an integer column: an error by default, 0 with nulls: zero', async () => {
    const path = fixture('tabular/duckdb-snappy.parquet');
    const error = await readColumns('parquet', { path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SluiceError);
    expect(error).toMatchObject({ code: 'DATA_INVALID', subject: 'i32_nulls' });
    const { columns } = await readColumns('parquet', { path, columns: ['i32_nulls', 'f64'], nulls: 'zero' });
    expect(columns.i32_nulls).toEqual(golden.columns.i32_nulls.map((v) => (v === null ? 0 : v)));
    expect(columns.f64).toEqual(fromGolden(golden.columns.f64));
  });
});

describe('parquet source: sluice round trip and row ranges', () => {
  const ROWS = 10_000;
  const table = makeWriterTable(ROWS);
  const path = join(dir, 'table.parquet');

  it('reads back what the parquet sink wrote, sampleRate included', async () => {
    await writeTableWith('parquet', table, { out: path, rowGroupRows: 1000 }, 1500, 250);
    const { source, columns } = await readColumns('parquet', { path, chunkRows: 777 });
    expect(source.schema.sampleRate).toBe(250);
    expect(source.schema.columns.map((c) => [c.name, c.dtype, c.width])).toEqual([
      ['f32', 'float32', 1],
      ['i32', 'int32', 1],
      ['i64', 'int64', 1],
      ['u8', 'uint8', 1],
      ['f64', 'float64', 1],
      ['seg', 'float32', 3],
    ]);
    expectWriterColumns(columns, table);
    expect(source.details.rowGroups).toBe(10);
  });

  it('a row range gives exactly its slice, with look-back, at any chunk size', async () => {
    for (const [chunkRows, overlap] of [
      [1, 0],
      [333, 7],
      [5000, 1200],
    ]) {
      const result = await readColumns(
        'parquet',
        { path, startRow: 2500, endRow: 3700, chunkRows, columns: ['f64', 'seg'] },
        { overlap },
      );
      expect(result.columns.f64).toEqual(Array.from(table.f64.subarray(2500, 3700)));
      expect(result.columns.seg).toEqual(Array.from(table.seg.data.subarray(2500 * 3, 3700 * 3)));
      expect(result.batches[0].start).toBe(2500 - Math.min(overlap, 2500));
      const fullRun = await readColumns('parquet', { path, columns: ['f64', 'seg'] });
      const whole = { ...result, columns: { f64: fullRun.columns.f64, seg: fullRun.columns.seg } };
      expectHistoryConsistent(whole, 0);
    }
  });

  it('decodes only the row groups holding the range; the source reports only their bytes', async () => {
    const reader = await openParquetFile(path);
    try {
      const fields = reader.fields.readable.filter((f) => f.column.name === 'f64');
      let rows = 0;
      for await (const piece of reader.pieces(fields, {
        from: 2500,
        end: 3700,
        batchRows: 4096,
        nulls: 'error',
      })) {
        rows += piece.rows;
      }
      expect(reader.decoded).toEqual({ rowGroups: 2, rows: 2000 });
      expect(rows).toBe(2000);
    } finally {
      await reader.close();
    }
    const part = await readColumns('parquet', { path, startRow: 2500, endRow: 3700, columns: ['f64'] });
    const all = await readColumns('parquet', { path, columns: ['f64'] });
    expect(part.source.bytes * 5).toBeCloseTo(all.source.bytes, -3);
    expect(part.source.bytes).toBeLessThan(all.source.bytes / 4);
  });

  it('refuses a file that is not Parquet with a typed error', async () => {
    await expect(readColumns('parquet', { path: fixture('tabular/pandas.csv') })).rejects.toMatchObject({
      code: 'FORMAT_INVALID',
    });
  });
});
