/**
 * What the tests of sluice's own Parquet row groups share: a table of one number per row in
 * every column (the columns sluice encodes itself), written through the parquet sink, and
 * DuckDB's view of the file.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Schema } from '../../src/core/schema.ts';
import type { SinkStage } from '../../src/core/stage.ts';
import { registry } from '../../src/stages.ts';
import { chunkBatches, schemaOf } from './batches.ts';
import { runSink } from './run-sink.ts';
import { makeWriterTable } from './writer-table.ts';

export const DIRECT_ROWS = 5003;

/** The writer table without its width-3 column. */
export function scalarTable(rows = DIRECT_ROWS) {
  const { f32, i32, i64, u8, f64 } = makeWriterTable(rows);
  return { f32, i32, i64, u8, f64 };
}

/** The table through the parquet sink: row groups of 700 rows, batches of 256. */
export async function writeScalarParquet(
  dir: string,
  name: string,
  params: Readonly<Record<string, unknown>>,
  rows = DIRECT_ROWS,
): Promise<string> {
  const table = scalarTable(rows);
  const schema: Schema = { ...schemaOf(table), sampleRate: 250, source: 'x.npy' };
  const out = join(dir, name);
  const sink = registry.get('parquet', 'sink') as SinkStage;
  await runSink(sink, { out, rowGroupRows: 700, ...params }, schema, chunkBatches(table, 256), { rows });
  return out;
}

/** DuckDB's types, per-chunk codecs, key-value metadata and values of a Parquet file. */
export async function duckView(path: string) {
  const duck = await (await DuckDBInstance.create()).connect();
  const rows = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjects();
  try {
    return {
      types: await rows(
        `SELECT column_name AS name, column_type AS type FROM (DESCRIBE SELECT * FROM '${path}')`,
      ),
      codecs: (await rows(`SELECT DISTINCT compression AS c FROM parquet_metadata('${path}')`)).map(
        (r) => r.c,
      ),
      groups: (
        await rows(
          `SELECT row_group_num_rows::INT AS n FROM parquet_metadata('${path}') WHERE path_in_schema = 'f32' ORDER BY row_group_id`,
        )
      ).map((r) => r.n),
      kv: await rows(
        `SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('${path}') ORDER BY 1`,
      ),
      values: (await duck.runAndReadAll(`SELECT * FROM '${path}'`)).getColumns(),
    };
  } finally {
    duck.closeSync();
  }
}
