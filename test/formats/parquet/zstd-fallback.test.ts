/**
 * Without the native zstd library (an optional dependency that may fail to build), zstd
 * Parquet files are encoded by parquet-wasm as before: DuckDB reads the same rows, types and
 * metadata. SLUICE_NATIVE_ZSTD=0 stands in for a machine without it; this file's own module
 * graph loads the library (or not) once, after the variable is set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIRECT_ROWS, duckView, scalarTable, writeScalarParquet } from '../../support/parquet-direct.ts';

process.env.SLUICE_NATIVE_ZSTD = '0';
const { loadNativeZstd } = await import('../../../src/io/lazy.ts');

describe('zstd Parquet without the native library', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-parquet-fallback-'));
  afterAll(() => {
    delete process.env.SLUICE_NATIVE_ZSTD;
    rmSync(dir, { recursive: true, force: true });
  });

  it('parquet-wasm encodes it; DuckDB reads the rows, types and codec', async () => {
    expect(await loadNativeZstd()).toBeUndefined();
    const table = scalarTable();
    const view = await duckView(
      await writeScalarParquet(dir, 'fallback.parquet', { compression: 'zstd', threads: 2 }),
    );
    expect(view.types.map((t) => t.type)).toEqual(['FLOAT', 'INTEGER', 'BIGINT', 'UTINYINT', 'DOUBLE']);
    expect(view.codecs).toEqual(['ZSTD']);
    expect(view.groups).toEqual([...Array(7).fill(700), 103]);
    expect(view.values[2]).toEqual(Array.from(table.i64));
    expect(view.values[0].length).toBe(DIRECT_ROWS);
  }, 60_000);
});
