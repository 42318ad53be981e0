/**
 * The csv source against pandas' CSV and TSV (NaN, ±inf, -0.0, a subnormal, int64 beyond 2^53,
 * booleans, quoted text, CRLF) and pandas' reading of them (test/fixtures/tabular/
 * make_pandas_csv.py); round trips through sluice's csv sink; row ranges past the record
 * index; type errors named by row.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.ts';
import { makeWriterTable } from '../support/writer-table.ts';
import { fixture } from './source-harness.ts';
import { expectHistoryConsistent, fromGolden, readColumns, writeTableWith } from './tabular-harness.ts';

const golden = JSON.parse(readFileSync(fixture('tabular/pandas-golden.json'), 'utf8')) as {
  rows: number;
  dtypes: Record<string, string>;
  columns: Record<string, unknown[]>;
};
const dir = mkdtempSync(join(tmpdir(), 'sluice-csv-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('csv source: pandas files', () => {
  for (const [file, extra] of [
    ['pandas.csv', {}],
    ['pandas.tsv', {}],
  ] as const) {
    it(`${file}: inferred types and values equal pandas.read_csv`, async () => {
      const { source, columns } = await readColumns('csv', {
        path: fixture(`tabular/${file}`),
        chunkRows: 400,
        ...extra,
      });
      expect(source.rows).toBe(golden.rows);
      expect(source.schema.columns.map((c) => [c.name, c.dtype])).toEqual([
        ['f', 'float64'],
        ['i', 'int64'],
        ['small', 'int64'],
        ['flag', 'uint8'],
        ['g', 'float64'],
      ]);
      expect(source.details.unsupported).toEqual(['text: text', 'when: text']);
      expect(columns.f).toEqual(fromGolden(golden.columns.f));
      expect(Object.is(columns.f[7], -0)).toBe(true);
      expect(columns.i).toEqual(fromGolden(golden.columns.i, true));
      expect(columns.small).toEqual(fromGolden(golden.columns.small, true));
      expect(columns.flag).toEqual(golden.columns.flag);
      expect(columns.g).toEqual(fromGolden(golden.columns.g));
    });
  }

  it('dtypes overrides inference; a text column is refused only when selected', async () => {
    const path = fixture('tabular/pandas.csv');
    const { source, columns } = await readColumns('csv', {
      path,
      columns: ['g', 'small'],
      dtypes: { g: 'float32', small: 'int16' },
    });
    expect(source.schema.columns.map((c) => c.dtype)).toEqual(['float32', 'int16']);
    expect(columns.g).toEqual(fromGolden(golden.columns.g).map((v) => Math.fround(Number(v))));
    expect(columns.small).toEqual(golden.columns.small.map(Number));
    await expect(readColumns('csv', { path, columns: ['text'] })).rejects.toMatchObject({
      code: 'FORMAT_UNSUPPORTED',
      subject: 'text',
    });
    await expect(readColumns('csv', { path, dtypes: { nope: 'int8' } })).rejects.toMatchObject({
      code: 'COLUMN_UNKNOWN',
    });
  });
});

describe('csv source: round trip, row ranges, bad values', () => {
  it('reads back what the csv sink wrote (float32 given in dtypes)', async () => {
    const table = makeWriterTable(3000);
    const path = join(dir, 'table.csv');
    await writeTableWith('csv', table, { out: path }, 1000);
    const result = await readColumns(
      'csv',
      { path, chunkRows: 256, dtypes: { f32: 'float32', i32: 'int32', u8: 'uint8', seg_0: 'float32' } },
      { overlap: 9 },
    );
    const { columns } = result;
    expect(columns.f32).toEqual(Array.from(table.f32));
    expect(columns.i32).toEqual(Array.from(table.i32));
    expect(columns.i64).toEqual(Array.from(table.i64));
    expect(columns.u8).toEqual(Array.from(table.u8));
    expect(columns.f64).toEqual(Array.from(table.f64));
    expect(columns.seg_0).toEqual(Array.from(table.seg.data.filter((_, j) => j % 3 === 0)));
    expectHistoryConsistent(result, 0);
  });

  it('a row range is parsed from its nearest indexed record on, exactly', async () => {
    const rows = 20_000;
    const lines = ['a,b'];
    for (let i = 0; i < rows; i++) lines.push(`${i},${i * 0.5}`);
    const path = join(dir, 'long.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const { columns, source } = await readColumns(
      'csv',
      { path, startRow: 15_000, endRow: 15_100, chunkRows: 64 },
      { overlap: 5 },
    );
    expect(source.rows).toBe(100);
    expect(columns.a).toEqual(Array.from({ length: 100 }, (_, k) => BigInt(15_000 + k)));
    expect(columns.b).toEqual(Array.from({ length: 100 }, (_, k) => (15_000 + k) * 0.5));
  });

  it('a value of another type after the sample is DATA_INVALID naming its row; nulls policy for ints', async () => {
    const path = join(dir, 'late.csv');
    writeFileSync(path, `x,y\n${Array.from({ length: 20 }, (_, i) => `${i},${i}`).join('\n')}\n1.5,\n`);
    await expect(readColumns('csv', { path, inferRows: 10, columns: ['x'] })).rejects.toMatchObject({
      code: 'DATA_INVALID',
      message: expect.stringContaining('row 20'),
    });
    await expect(readColumns('csv', { path, inferRows: 10, columns: ['y'] })).rejects.toMatchObject({
      code: 'DATA_INVALID',
    });
    const { columns } = await readColumns('csv', { path, inferRows: 10, columns: ['y'], nulls: 'zero' });
    expect(columns.y.at(-1)).toBe(0n);
    const inferred = await readColumns('csv', { path, columns: ['y'] });
    expect(inferred.source.schema.columns[0].dtype).toBe('float64');
    expect(Number.isNaN(inferred.columns.y.at(-1))).toBe(true);
  });

  it('counts records as csv-parse parses them: quoted newlines, CRLF, blank lines, a BOM, no final newline', async () => {
    const path = join(dir, 'quoted.csv');
    const text = '\uFEFFx,note,y\r\n1,"a\nb",2.5\r\n\r\n\n2,"say ""hi""\r\n, twice",-1\n3,,4';
    writeFileSync(path, text);
    for (const [startRow, endRow, x] of [
      [0, undefined, [1n, 2n, 3n]],
      [1, 2, [2n]],
      [2, undefined, [3n]],
    ] as const) {
      const { source, columns } = await readColumns('csv', { path, startRow, endRow, chunkRows: 1 });
      expect(source.schema.columns.map((c) => c.name)).toEqual(['x', 'y']);
      expect(columns.x).toEqual(x);
    }
    const { columns } = await readColumns('csv', { path });
    expect(columns.y).toEqual([2.5, -1, 4]);
  });

  it('a stray quote that makes the scan and csv-parse disagree is a typed error', async () => {
    const path = join(dir, 'stray.csv');
    writeFileSync(path, 'a,b\n1,2\n3,x"y\n4,5\n');
    await expect(readColumns('csv', { path, columns: ['a'] })).rejects.toBeInstanceOf(SluiceError);
  });

  it('ragged records and an empty file are FORMAT_INVALID', async () => {
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, 'a,b\n1,2\n3\n');
    await expect(readColumns('csv', { path: ragged })).rejects.toMatchObject({ code: 'FORMAT_INVALID' });
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    await expect(readColumns('csv', { path: empty })).rejects.toMatchObject({ code: 'FORMAT_INVALID' });
  });
});
