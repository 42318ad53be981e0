/**
 * The Parquet writer when sluice encodes the row groups itself (every column one number per
 * row, zstd by the native library or uncompressed): the same file at every thread count, and
 * DuckDB reads the rows, types, codec and metadata parquet-wasm's files had.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openParquetWriter } from '../../../src/formats/parquet/writer.ts';
import { loadNativeZstd } from '../../../src/io/lazy.ts';
import { schemaOf } from '../../support/batches.ts';
import { DIRECT_ROWS, duckView, scalarTable, writeScalarParquet } from '../../support/parquet-direct.ts';

const zstd = await loadNativeZstd();
if (!zstd) console.log("zstd-napi did not load: the zstd cases of sluice's own encoder are skipped");

describe('Parquet row groups encoded by sluice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-parquet-direct-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const table = scalarTable();

  it.skipIf(!zstd)(
    'zstd: byte for byte the same file on 1, 2 and 3 threads',
    async () => {
      const one = readFileSync(
        await writeScalarParquet(dir, 'one.parquet', { compression: 'zstd', threads: 1 }),
      );
      for (const threads of [2, 3]) {
        const many = readFileSync(
          await writeScalarParquet(dir, `many-${threads}.parquet`, { compression: 'zstd', threads }),
        );
        expect(Buffer.compare(many, one)).toBe(0);
      }
    },
    60_000,
  );

  it.each(['zstd', 'none'])(
    'DuckDB reads the rows, types, codec and metadata (%s)',
    async (compression) => {
      if (compression === 'zstd' && !zstd) return;
      const view = await duckView(
        await writeScalarParquet(dir, `duck-${compression}.parquet`, { compression, threads: 2 }),
      );
      expect(view.types).toEqual([
        { name: 'f32', type: 'FLOAT' },
        { name: 'i32', type: 'INTEGER' },
        { name: 'i64', type: 'BIGINT' },
        { name: 'u8', type: 'UTINYINT' },
        { name: 'f64', type: 'DOUBLE' },
      ]);
      expect(view.codecs).toEqual([compression === 'zstd' ? 'ZSTD' : 'UNCOMPRESSED']);
      expect(view.groups).toEqual([...Array(7).fill(700), 103]);
      expect(view.kv.map((r) => r.key)).toEqual(['ARROW:schema', 'sampleRate', 'source']);
      const [f32, i32, i64, u8, f64] = view.values;
      expect(f32.map(Number)).toEqual(Array.from(table.f32));
      expect(i32).toEqual(Array.from(table.i32));
      expect(i64).toEqual(Array.from(table.i64));
      expect(u8).toEqual(Array.from(table.u8));
      expect(f64.map((v) => (v === null ? null : Number(v)))).toEqual(Array.from(table.f64));
    },
    60_000,
  );

  it('no rows: the schema alone, as parquet-wasm writes it', async () => {
    const view = await duckView(await writeScalarParquet(dir, 'empty.parquet', { compression: 'none' }, 0));
    expect(view.types.map((t) => t.type)).toEqual(['FLOAT', 'INTEGER', 'BIGINT', 'UTINYINT', 'DOUBLE']);
    expect(view.values.every((column) => column.length === 0)).toBe(true);
  }, 60_000);

  it('abort stops the encoding threads and leaves no file', async () => {
    const schema = schemaOf(table);
    const out = join(dir, 'aborted.parquet');
    const encoder = await openParquetWriter(
      out,
      schema.columns,
      schema,
      { rowGroupRows: 500, compression: 'none', statistics: true, threads: 2 },
      { overwrite: false },
    );
    await encoder.write(
      schema.columns.map((column) => ({ column, data: table[column.name as keyof typeof table] })),
      DIRECT_ROWS,
    );
    await encoder.abort();
    expect(readdirSync(dir).filter((f) => f.includes('aborted'))).toEqual([]);
  }, 60_000);
});
