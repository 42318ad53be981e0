/**
 * The arrow source against apache-arrow's IPC file and stream (nulls, a timestamp, a bool, a
 * fixed-size list, a text column; four record batches) and their golden
 * (test/fixtures/tabular/make_tabular_fixtures.mjs); round trips through sluice's arrow sink;
 * row ranges that decode only the record batches holding them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openArrowFile } from '../../src/formats/arrow/reader.ts';
import { makeWriterTable } from '../support/writer-table.ts';
import { fixture } from './source-harness.ts';
import {
  expectHistoryConsistent,
  expectWriterColumns,
  fromGolden,
  readColumns,
  writeTableWith,
} from './tabular-harness.ts';

const golden = JSON.parse(readFileSync(fixture('tabular/arrow-golden.json'), 'utf8')) as {
  rows: number;
  batches: number[];
  columns: Record<string, unknown[]>;
};
const dir = mkdtempSync(join(tmpdir(), 'sluice-arrow-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('arrow source: apache-arrow files', () => {
  for (const file of ['apache-arrow.arrow', 'apache-arrow.arrows']) {
    it(`${file}: every column equals the golden`, async () => {
      const { source, columns } = await readColumns('arrow', {
        path: fixture(`tabular/${file}`),
        chunkRows: 256,
      });
      expect(source.rows).toBe(golden.rows);
      expect(source.details.ipc).toBe(file.endsWith('s') ? 'stream' : 'file');
      expect(source.details.recordBatches).toBe(4);
      expect(source.details.unsupported).toEqual(['name: Utf8']);
      expect(source.schema.columns.map((c) => [c.name, c.dtype, c.width, c.unit])).toEqual([
        ['f64', 'float64', 1, undefined],
        ['i64', 'int64', 1, undefined],
        ['u16', 'uint16', 1, undefined],
        ['flag', 'uint8', 1, undefined],
        ['ts', 'int64', 1, 'ms since 1970-01-01'],
        ['vec', 'float32', 3, undefined],
      ]);
      expect(columns.f64).toEqual(fromGolden(golden.columns.f64));
      expect(columns.i64).toEqual(fromGolden(golden.columns.i64, true));
      expect(columns.u16).toEqual(golden.columns.u16);
      expect(columns.flag).toEqual(golden.columns.flag);
      expect(columns.ts).toEqual(fromGolden(golden.columns.ts, true));
      expect(columns.vec).toEqual(golden.columns.vec);
    });
  }

  it('refuses the text column only when selected', async () => {
    await expect(
      readColumns('arrow', { path: fixture('tabular/apache-arrow.arrow'), columns: ['name'] }),
    ).rejects.toMatchObject({ code: 'FORMAT_UNSUPPORTED', subject: 'name' });
  });

  it('decodes only the record batches holding a row range', async () => {
    for (const file of ['apache-arrow.arrow', 'apache-arrow.arrows']) {
      const reader = await openArrowFile(fixture(`tabular/${file}`));
      try {
        const fields = reader.fields.readable.filter((f) => f.column.name === 'u16');
        const starts: number[] = [];
        for await (const piece of reader.pieces(fields, { from: 610, end: 890, nulls: 'error' }))
          starts.push(piece.start);
        expect(starts).toEqual([600]);
        expect(reader.decoded.batches).toBe(1);
      } finally {
        await reader.close();
      }
      const { columns, source } = await readColumns(
        'arrow',
        {
          path: fixture(`tabular/${file}`),
          startRow: 250,
          endRow: 950,
          chunkRows: 100,
          columns: ['u16', 'vec'],
        },
        { overlap: 30 },
      );
      expect(columns.u16).toEqual(golden.columns.u16.slice(250, 950));
      expect(columns.vec).toEqual(golden.columns.vec.slice(750, 2850));
      expect(source.rows).toBe(700);
    }
  });

  it('reads the other columns of a file with a dictionary-encoded text column, which it lists', async () => {
    const arrow = await import('apache-arrow');
    const ids = Int32Array.from({ length: 150 }, (_, i) => i);
    const kind = arrow.vectorFromArray(
      Array.from(ids, (i) => ['low', 'mid', 'high'][i % 3]),
      new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
    );
    const whole = new arrow.Table({ id: arrow.makeVector(ids), kind });
    const batches = [0, 50, 100].flatMap((at) => whole.slice(at, at + 50).batches);
    for (const format of ['file', 'stream'] as const) {
      const path = join(dir, `dictionary.${format === 'file' ? 'arrow' : 'arrows'}`);
      writeFileSync(path, arrow.tableToIPC(new arrow.Table(batches), format));
      const { source, columns } = await readColumns('arrow', {
        path,
        startRow: 40,
        endRow: 120,
        chunkRows: 7,
      });
      expect(source.details.unsupported).toEqual(['kind: Dictionary<Int32, Utf8>']);
      expect(source.details.recordBatches).toBe(3);
      expect(columns.id).toEqual(Array.from({ length: 80 }, (_, k) => 40 + k));
    }
  });

  it('refuses truncated and foreign files with typed errors', async () => {
    const bytes = readFileSync(fixture('tabular/apache-arrow.arrow'));
    const cut = join(dir, 'cut.arrow');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    await expect(readColumns('arrow', { path: cut })).rejects.toMatchObject({ code: 'FORMAT_INVALID' });
    const stream = readFileSync(fixture('tabular/apache-arrow.arrows'));
    const cutStream = join(dir, 'cut.arrows');
    writeFileSync(cutStream, stream.subarray(0, 20_000));
    await expect(readColumns('arrow', { path: cutStream })).rejects.toMatchObject({ code: 'FORMAT_INVALID' });
  });
});

describe('arrow source: sluice round trip', () => {
  const ROWS = 5000;
  const table = makeWriterTable(ROWS);
  for (const ext of ['arrow', 'arrows']) {
    it(`reads back what the arrow sink wrote (.${ext}), in any chunking`, async () => {
      const path = join(dir, `table.${ext}`);
      await writeTableWith('arrow', table, { out: path }, 700, 1000);
      const result = await readColumns('arrow', { path, chunkRows: 333 }, { overlap: 17 });
      const { source, columns } = result;
      expect(source.schema.sampleRate).toBe(1000);
      expectWriterColumns(columns, table);
      expectHistoryConsistent(result, 0);
    });
  }
});
