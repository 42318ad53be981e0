import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTable, writerForPath } from '../../src/formats/write-table.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-write-table-'));

describe('writerForPath', () => {
  it('names the format by extension, any case; undefined for others', () => {
    const formats = ['a.parquet', 'a.ARROW', 'a.feather', 'a.arrows', 'a.h5', 'a.hdf5', 'a.npy', 'a.csv'].map(
      (p) => writerForPath(p)?.format,
    );
    expect(formats).toEqual(['parquet', 'arrow', 'arrow', 'arrow', 'hdf5', 'hdf5', 'npy', 'csv']);
    expect(writerForPath('a.json')).toBeUndefined();
    expect(writerForPath('noext')).toBeUndefined();
  });
});

describe('writeTable', () => {
  it("applies the path's format options over the defaults, and only that format's", async () => {
    const path = join(dir, 'opts.csv');
    await writeTable(
      path,
      { x: new Float64Array([1, 2]), v: { data: new Int32Array([3, 4, 5, 6]), width: 2 } },
      { formatOptions: { csv: { delimiter: ';' }, parquet: { compression: 'none' } } },
    );
    expect(readFileSync(path, 'utf8')).toBe('x;v_0;v_1\n1.0;3;4\n2.0;5;6\n');
  });

  it('an empty table is a header only', async () => {
    const path = join(dir, 'empty.csv');
    await writeTable(path, { x: new Float64Array(0) });
    expect(readFileSync(path, 'utf8')).toBe('x\n');
  });

  it('columns of different lengths are ROWS_MISMATCH, and nothing is written', async () => {
    const sub = mkdtempSync(join(dir, 'mismatch-'));
    await expect(
      writeTable(join(sub, 't.npy'), { a: new Float64Array(2), b: new Float64Array(3) }),
    ).rejects.toMatchObject({ code: 'ROWS_MISMATCH' });
    expect(readdirSync(sub)).toEqual([]);
  });
});
