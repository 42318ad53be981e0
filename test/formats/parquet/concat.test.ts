/**
 * Joining Parquet files without decoding a page: the footer codec round-trips a real footer
 * byte for byte, and parts of one table (any row groups, any codec, page indexes on) join into
 * a file DuckDB reads as the whole table, in order, with its offset indexes pointing at pages.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFloat32Npy } from '../../../bench/files.ts';
import { concatParquetFiles, readParquetFooter } from '../../../src/formats/parquet/concat.ts';
import { decodeStruct, encodeStruct } from '../../../src/formats/parquet/thrift-compact.ts';
import { createAtomicFile } from '../../../src/io/atomic-file.ts';
import { run } from '../../../src/pipeline/api.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-parquet-concat-'));
const input = join(dir, 'x.npy');
const ROWS = 30_011;
writeFloat32Npy(input, 4 * ROWS);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writePart(out: string, startRow: number, endRow: number, compression: string) {
  await run({
    source: { type: 'npy', path: input, startRow, endRow, origin: 0, chunkRows: 3000 },
    steps: [{ type: 'derive', name: 'twice', expr: 'value * 2' }],
    sinks: [{ type: 'parquet', out, rowGroupRows: 4000, compression }],
  });
}

describe('concatParquetFiles', () => {
  it.each(['zstd', 'snappy', 'none'])(
    'parts (%s) join into the whole table, in order',
    async (compression) => {
      const whole = join(dir, `whole-${compression}.parquet`);
      await writePart(whole, 0, ROWS, compression);
      const cuts = [0, 5000, 5001, 17_333, ROWS];
      const parts = cuts.slice(1).map((end, i) => join(dir, `part-${compression}-${i}.parquet`));
      for (const [i, part] of parts.entries()) await writePart(part, cuts[i], cuts[i + 1], compression);
      const joined = join(dir, `joined-${compression}.parquet`);
      const file = await createAtomicFile(joined);
      expect(await concatParquetFiles(parts, file)).toBe(ROWS);
      await file.commit();

      const duck = await (await DuckDBInstance.create()).connect();
      const rows = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjects();
      expect(await rows(`SELECT count(*)::INT AS n FROM '${joined}'`)).toEqual([{ n: ROWS }]);
      const differing = await rows(
        `SELECT count(*)::INT AS n FROM read_parquet('${whole}', file_row_number = true) a ` +
          `JOIN read_parquet('${joined}', file_row_number = true) b USING (file_row_number) ` +
          'WHERE a.value IS DISTINCT FROM b.value OR a.twice IS DISTINCT FROM b.twice',
      );
      expect(differing).toEqual([{ n: 0 }]);
      // Row groups kept as the parts wrote them, numbered again; every page reachable by its offset index.
      const groups = await rows(
        `SELECT row_group_id, row_group_num_rows::INT AS n FROM parquet_metadata('${joined}') WHERE path_in_schema = 'value' ORDER BY 1`,
      );
      expect(groups.map((g) => g.n)).toEqual([4000, 1000, 1, 4000, 4000, 4000, 332, 4000, 4000, 4000, 678]);
      expect(await rows(`SELECT sum(twice)::DOUBLE AS s FROM '${joined}' WHERE value > 0.5`)).toEqual(
        await rows(`SELECT sum(twice)::DOUBLE AS s FROM '${whole}' WHERE value > 0.5`),
      );
      duck.closeSync();
    },
  );

  it('the footer codec writes back the bytes it read', async () => {
    const part = join(dir, 'part-zstd-0.parquet');
    const handle = await open(part);
    const { footerStart } = await readParquetFooter(handle, part);
    await handle.close();
    const bytes = readFileSync(part);
    const footer = bytes.subarray(footerStart, bytes.length - 8);
    expect(Buffer.from(encodeStruct(decodeStruct(footer).struct)).equals(footer)).toBe(true);
  });
});
