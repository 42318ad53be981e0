/**
 * The baseline of the Parquet row in `npm run bench -- table`: DuckDB writing the same rows
 * from memory with `COPY … TO (FORMAT parquet, COMPRESSION zstd)`, in its own process.
 *
 *   node --import tsx bench/duckdb-copy.ts SOURCE.parquet OUT.parquet [ROWS]
 *
 * The rows are loaded into an in-memory table first (from the Parquet file sluice wrote, so
 * the columns and values are the same; when DuckDB cannot read it, ROWS generated rows of the
 * same 15 PyCCAPT columns and types instead), and only the COPY is timed. Prints one JSON line:
 * seconds (the COPY), rows, source ('sluice' or 'generated'), rssBeforeCopyBytes (the loaded
 * table's process), maxRssBytes (the process's peak).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from '@duckdb/node-api';

const [source, out, rowsText] = process.argv.slice(2);

const quote = (path: string) => `'${path.replaceAll("'", "''")}'`;

/** PyCCAPT's columns after the reflectron correction: x_det and y_det are float64. */
const COLUMNS: [string, string][] = [
  ['x (nm)', 'FLOAT'],
  ['y (nm)', 'FLOAT'],
  ['z (nm)', 'FLOAT'],
  ['mc (Da)', 'FLOAT'],
  ['mc_uc (Da)', 'FLOAT'],
  ['high_voltage (V)', 'FLOAT'],
  ['pulse_v (V)', 'FLOAT'],
  ['pulse_l (pJ)', 'FLOAT'],
  ['t (ns)', 'FLOAT'],
  ['t_c (ns)', 'FLOAT'],
  ['x_det (cm)', 'DOUBLE'],
  ['y_det (cm)', 'DOUBLE'],
  ['delta_p', 'INTEGER'],
  ['multi', 'INTEGER'],
  ['start_counter', 'INTEGER'],
];

async function load(connection: DuckDBConnection): Promise<'sluice' | 'generated'> {
  try {
    await connection.run(`CREATE TABLE t AS SELECT * FROM read_parquet(${quote(source)})`);
    return 'sluice';
  } catch (error) {
    process.stderr.write(`duckdb-copy: cannot read ${source} (${String(error)}); generating rows\n`);
    const columns = COLUMNS.map(([name, type], k) =>
      type === 'INTEGER'
        ? `CAST((i * ${k + 7}) % 1000 AS INTEGER) AS "${name}"`
        : `CAST(random() * ${k + 1} AS ${type}) AS "${name}"`,
    );
    await connection.run(
      `CREATE TABLE t AS SELECT ${columns.join(', ')} FROM range(${Number(rowsText)}) r(i)`,
    );
    return 'generated';
  }
}

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const from = await load(connection);
const count = await connection.runAndReadAll('SELECT count(*) FROM t');
const rows = Number(count.getRows()[0][0]);
const rssBeforeCopyBytes = process.memoryUsage().rss;
const started = performance.now();
await connection.run(`COPY t TO ${quote(out)} (FORMAT parquet, COMPRESSION zstd)`);
const seconds = (performance.now() - started) / 1000;
connection.closeSync();
process.stdout.write(
  `${JSON.stringify({ seconds, rows, source: from, rssBeforeCopyBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
