/**
 * The Parquet writer: IPC hand-over to parquet-wasm, and row groups encoded on worker threads
 * (the file is the same at every thread count; DuckDB reads its rows, types and metadata).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import type { Schema } from '../../../src/core/schema.ts';
import type { SinkStage } from '../../../src/core/stage.ts';
import { toArrowSchema } from '../../../src/formats/arrow/batch.ts';
import { EncoderPool } from '../../../src/formats/encoder-pool.ts';
import { openParquetWriter, toIpcStream } from '../../../src/formats/parquet/writer.ts';
import { loadArrow } from '../../../src/io/lazy.ts';
import { registry } from '../../../src/stages.ts';
import { chunkBatches, schemaOf } from '../../support/batches.ts';
import { runSink } from '../../support/run-sink.ts';
import { makeWriterTable } from '../../support/writer-table.ts';

describe('toIpcStream', () => {
  it('is one IPC stream of the rows, in the scratch buffer when it fits', async () => {
    const arrow = await loadArrow();
    const column = { name: 'x', dtype: 'float64' as const, width: 1 };
    const schema = toArrowSchema(arrow, [column], { columns: [column] });
    const chunks = [{ column, data: new Float64Array([1.5, -2, 4]) }];
    const fresh = toIpcStream(arrow, schema, chunks, 3);
    expect(Array.from(arrow.tableFromIPC(fresh).getChild('x')!.toArray())).toEqual([1.5, -2, 4]);
    const scratch = new ArrayBuffer(fresh.byteLength + 64);
    const inScratch = toIpcStream(arrow, schema, chunks, 3, scratch);
    expect(inScratch.buffer).toBe(scratch);
    expect(inScratch).toEqual(fresh);
    expect(toIpcStream(arrow, schema, chunks, 3, new ArrayBuffer(8)).buffer).not.toBe(scratch);
  });
});

describe('parquet writer threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-parquet-threads-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ROWS = 5003;
  const table = makeWriterTable(ROWS);
  const schema: Schema = {
    ...schemaOf(table),
    sampleRate: 250,
    source: 'x.npy',
    columns: schemaOf(table).columns.map((c) => (c.name === 'f32' ? { ...c, unit: 'nm' } : c)),
  };
  const sink = registry.get('parquet', 'sink') as SinkStage;

  /** The table through the parquet sink with `threads`, row groups of 700 rows, batches of 256 (5 look-back). */
  async function write(name: string, threads: number, compression = 'zstd'): Promise<string> {
    const out = join(dir, name);
    const batches = chunkBatches(table, 256, { history: 5 });
    await runSink(sink, { out, rowGroupRows: 700, threads, compression }, schema, batches, { rows: ROWS });
    return out;
  }

  it.each(['zstd', 'snappy'])(
    'row groups encoded on 2 or 3 threads give the 1-thread file byte for byte (%s)',
    async (compression) => {
      const one = readFileSync(await write(`one-${compression}.parquet`, 1, compression));
      for (const threads of [2, 3]) {
        const many = readFileSync(
          await write(`many-${threads}-${compression}.parquet`, threads, compression),
        );
        expect(Buffer.compare(many, one)).toBe(0);
      }
    },
    60_000,
  );

  it('DuckDB reads the rows, types and key-value metadata of the threaded file', async () => {
    const path = await write('duck.parquet', 2);
    const duck = await (await DuckDBInstance.create()).connect();
    const rows = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjects();
    try {
      const types = await rows(
        `SELECT column_name AS name, column_type AS type FROM (DESCRIBE SELECT * FROM '${path}')`,
      );
      expect(types).toEqual([
        { name: 'f32', type: 'FLOAT' },
        { name: 'i32', type: 'INTEGER' },
        { name: 'i64', type: 'BIGINT' },
        { name: 'u8', type: 'UTINYINT' },
        { name: 'f64', type: 'DOUBLE' },
        // arrow-rs writes a fixed-size list as a LIST; DuckDB reads it as a list.
        { name: 'seg', type: 'FLOAT[]' },
      ]);
      const groups = await rows(
        `SELECT row_group_num_rows::INT AS n FROM parquet_metadata('${path}') WHERE path_in_schema = 'f32' ORDER BY row_group_id`,
      );
      expect(groups.map((g) => g.n)).toEqual([...Array(7).fill(700), 103]);
      const kv = await rows(
        `SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('${path}') WHERE decode(key) <> 'ARROW:schema' ORDER BY 1`,
      );
      expect(kv).toEqual([
        { key: 'sampleRate', value: '250' },
        { key: 'source', value: 'x.npy' },
        { key: 'units', value: '{"f32":"nm"}' },
      ]);
      const arrowSchema = await rows(
        `SELECT count(*)::INT AS n FROM parquet_kv_metadata('${path}') WHERE decode(key) = 'ARROW:schema'`,
      );
      expect(arrowSchema).toEqual([{ n: 1 }]);
      const read = (await duck.runAndReadAll(`SELECT f32, i64, f64, seg FROM '${path}'`)).getColumns();
      expect(read[0].map(Number)).toEqual(Array.from(table.f32));
      expect(read[1]).toEqual(Array.from(table.i64));
      expect(read[2].map((v) => (v === null ? null : Number(v)))).toEqual(
        Array.from(table.f64, (v) => (Number.isNaN(v) ? NaN : v)),
      );
      expect(String(read[3][4])).toBe('[4, 4.25, 4.5]');
    } finally {
      duck.closeSync();
    }
  }, 60_000);

  it('abort stops the threads and leaves no file', async () => {
    const out = join(dir, 'aborted.parquet');
    const columns = schema.columns;
    const encoder = await openParquetWriter(
      out,
      columns,
      schema,
      { rowGroupRows: 500, compression: 'zstd', statistics: true, threads: 2 },
      { overwrite: false },
    );
    const batch = chunkBatches(table, 2000)[0];
    await encoder.write(
      columns.map((column) => ({ column, data: batch.columns[column.name].data })),
      2000,
    );
    await encoder.abort();
    expect(readdirSync(dir).filter((f) => f.includes('aborted'))).toEqual([]);
  }, 60_000);
});

describe('EncoderPool', () => {
  it('a worker that cannot start fails submit or close, never hangs', async () => {
    const pool = new EncoderPool<number, number>(
      { module: 'formats/parquet/no-such-module', input: {}, threads: 2 },
      () => Promise.resolve(),
    );
    await expect(
      (async () => {
        for (let i = 0; i < 10; i++) await pool.submit(i);
        await pool.close();
      })(),
    ).rejects.toThrow();
    await pool.destroy();
  }, 60_000);
});
