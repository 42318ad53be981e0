/**
 * docs/design.md §8, outputs that keep the rows: EPOS → to-pyccapt → reflectron written by several
 * workers holds the local run's rows, in the local run's order, with its values: HDF5
 * (contiguous datasets filled in place), NPY (records filled in place; byte for byte), Parquet
 * (the shards' parts joined without re-encoding, which DuckDB reads as one table) and a
 * directory of Parquet parts (`out: dir/`), which DuckDB reads as one table too.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueServer, WorkerProcess } from '../../bench/cluster-servers.ts';
import { startPostgres, startWorker, stopWorkers } from '../../bench/cluster-servers.ts';
import { writeEpos } from '../../scripts/sample-epos.ts';
import { runCli } from '../support/cli.ts';
import { queueUrl, writeSpec } from './cluster-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-cluster-rows-'));
const input = join(dir, 'run.epos');
const IONS = 200_000;
writeEpos(input, IONS);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE_AND_STEPS = `
source: { type: epos, path: ${input}, chunkRows: 15000 }
steps:
  - { type: to-pyccapt }
  - { type: reflectron, preset: 4000XHR_Erlangen_56_4833 }
`;
const FILE_SINKS = `
sinks:
  - { type: hdf5, out: '{out}/corrected.h5', layout: columns, group: df }
  - { type: parquet, out: '{out}/corrected.parquet', rowGroupRows: 20000 }
  - { type: npy, out: '{out}/detector.npy', columns: ['x_det (cm)', 'y_det (cm)', 'mc (Da)'] }
`;

let server: QueueServer;
let workers: WorkerProcess[] = [];
beforeAll(async () => {
  server = await startPostgres();
  workers = await Promise.all([startWorker(queueUrl(server, 'rows')), startWorker(queueUrl(server, 'rows'))]);
}, 60_000);
afterAll(async () => {
  await stopWorkers(workers);
  await server?.stop();
});

describe('row-preserving outputs written by two workers (PostgreSQL)', () => {
  const local = join(dir, 'local');
  const queued = join(dir, 'queued');

  beforeAll(async () => {
    const spec = writeSpec(dir, 'local', SOURCE_AND_STEPS + FILE_SINKS, local);
    const result = await runCli(['run', spec, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const queuedSpec = writeSpec(
      dir,
      'queued',
      `${SOURCE_AND_STEPS + FILE_SINKS}  - { type: parquet, out: '{out}/parts/', rowGroupRows: 20000 }\n`,
      queued,
    );
    const run = await runCli([
      'run',
      queuedSpec,
      '--queue',
      queueUrl(server, 'rows'),
      '--shard-rows',
      '40000',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { shards: unknown }).shards).toEqual({
      total: 5,
      done: 5,
      reused: 0,
      retried: 0,
    });
  }, 60_000);

  it('npy: the same bytes', () => {
    expect(readFileSync(join(queued, 'detector.npy')).equals(readFileSync(join(local, 'detector.npy')))).toBe(
      true,
    );
  });

  it('hdf5: the same datasets, shapes, types, values and attributes', async () => {
    await h5wasm.ready;
    const read = (path: string) => {
      const file = new h5wasm.File(path, 'r');
      try {
        const group = file.get('df') as InstanceType<typeof h5wasm.Group>;
        return Object.fromEntries(
          group.keys().map((name) => {
            const dataset = group.get(name) as InstanceType<typeof h5wasm.Dataset>;
            const value = dataset.value as ArrayBufferView;
            const attrs = Object.fromEntries(Object.entries(dataset.attrs).map(([k, a]) => [k, a.value]));
            const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
            return [name, { shape: dataset.shape, dtype: dataset.dtype, attrs, bytes }];
          }),
        );
      } finally {
        file.close();
      }
    };
    const [a, b] = [read(join(local, 'corrected.h5')), read(join(queued, 'corrected.h5'))];
    expect(Object.keys(b)).toEqual(Object.keys(a));
    expect(Object.keys(a).length).toBeGreaterThan(10);
    for (const name of Object.keys(a)) {
      expect(b[name].shape, name).toEqual([IONS]);
      expect({ ...b[name], bytes: undefined }, name).toEqual({ ...a[name], bytes: undefined });
      expect(b[name].bytes.equals(a[name].bytes), name).toBe(true);
    }
  });

  it('parquet: DuckDB reads one table with the local rows, in order', async () => {
    const duck = await (await DuckDBInstance.create()).connect();
    const rows = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjects();
    const file = join(queued, 'corrected.parquet');
    const reference = join(local, 'corrected.parquet');
    expect(await rows(`SELECT count(*)::INT AS n FROM '${file}'`)).toEqual([{ n: IONS }]);
    const columns = (await rows(`DESCRIBE SELECT * FROM '${reference}'`)).map((r) => String(r.column_name));
    expect((await rows(`DESCRIBE SELECT * FROM '${file}'`)).map((r) => String(r.column_name))).toEqual(
      columns,
    );
    const differing = async (table: string, order: string) => {
      const sql =
        `WITH a AS (SELECT * EXCLUDE (file_row_number), file_row_number AS i FROM read_parquet('${reference}', file_row_number = true)), ` +
        `b AS (SELECT * EXCLUDE (filename, file_row_number), (row_number() OVER (ORDER BY ${order})) - 1 AS i ` +
        `FROM read_parquet('${table}', file_row_number = true, filename = true)) ` +
        `SELECT count(*)::INT AS n FROM a JOIN b USING (i) WHERE ${columns.map((c) => `a."${c}" IS DISTINCT FROM b."${c}"`).join(' OR ')}`;
      return rows(sql);
    };
    expect(await differing(file, 'file_row_number')).toEqual([{ n: 0 }]);
    // The directory of parts: one table too, the parts in name order.
    expect(readdirSync(join(queued, 'parts'))).toEqual([
      'part-00000.parquet',
      'part-00001.parquet',
      'part-00002.parquet',
      'part-00003.parquet',
      'part-00004.parquet',
    ]);
    const parts = join(queued, 'parts', '*.parquet');
    expect(await rows(`SELECT count(*)::INT AS n FROM '${parts}'`)).toEqual([{ n: IONS }]);
    expect(await differing(parts, 'filename, file_row_number')).toEqual([{ n: 0 }]);
    // The key-value metadata (units, source, origin, the Arrow schema) is the local file's.
    const metadata = async (path: string) =>
      (
        await rows(
          `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${path}') ORDER BY k`,
        )
      ).map((r) => [r.k, r.v]);
    expect(await metadata(file)).toEqual(await metadata(reference));
    duck.closeSync();
  });
});
