import { describe, expect, it } from 'vitest';
import { parseNpyDescr } from '../../../src/formats/npy/descr.ts';
import type { NpyHeader } from '../../../src/formats/npy/header.ts';
import { checkDataSize, npyTable } from '../../../src/formats/npy/reader.ts';
import type { PyValue } from '../../../src/formats/npy/py-literal.ts';
import { pyList, pyTuple } from '../../../src/formats/npy/py-literal.ts';

function header(descr: PyValue, shape: number[], fortranOrder = false): NpyHeader {
  return { version: '1.0', headerOffset: 10, headerLength: 118, dataOffset: 128, descr, shape, fortranOrder };
}

function table(h: NpyHeader) {
  return npyTable(h, parseNpyDescr(h.descr, 'a.npy', h.headerOffset), 'a.npy');
}

describe('npyTable', () => {
  it('reads a 1-D array as column value', () => {
    expect(table(header('<f8', [6]))).toEqual({
      layout: {
        kind: 'records',
        dataOffset: 128,
        recordSize: 8,
        fields: [{ name: 'value', dtype: 'float64', littleEndian: true, width: 1, offset: 0 }],
      },
      totalRows: 6,
    });
  });

  it('reads a structured array as one column per field', () => {
    const descr = pyList([pyTuple('t', '>u4'), pyTuple('xy', '<f4', pyTuple(2))]);
    const { layout } = table(header(descr, [3]));
    expect(layout).toMatchObject({
      recordSize: 12,
      fields: [
        { name: 't', dtype: 'uint32', littleEndian: false, width: 1, offset: 0 },
        { name: 'xy', dtype: 'float32', littleEndian: true, width: 2, offset: 4 },
      ],
    });
  });

  it('interleaves a C-order 2-D array and stacks a Fortran-order one', () => {
    const c = table(header('<i2', [4, 3]));
    expect(c.layout).toMatchObject({ kind: 'records', recordSize: 6 });
    expect(c.layout.kind === 'records' && c.layout.fields.map((f) => [f.name, f.offset])).toEqual([
      ['c0', 0],
      ['c1', 2],
      ['c2', 4],
    ]);
    const f = table(header('<i2', [4, 3], true));
    expect(f.layout.kind === 'columnar' && f.layout.columns.map((col) => [col.name, col.fileOffset])).toEqual(
      [
        ['c0', 128],
        ['c1', 136],
        ['c2', 144],
      ],
    );
  });

  it.each([
    [[], '0-d (scalar)'],
    [[2, 2, 2], '3-d'],
    [[2, 0], '(n, 0)-shaped'],
  ])('refuses shape %j', (shape, what) => {
    expect(() => table(header('<f4', shape))).toThrow(
      expect.objectContaining({
        code: 'FORMAT_UNSUPPORTED',
        message: `a.npy: ${what} arrays are not supported`,
      }),
    );
  });
});

describe('checkDataSize', () => {
  const h = header('<f4', [10]);
  const descr = parseNpyDescr(h.descr, 'a.npy', 10);
  it('accepts exactly shape × itemsize bytes after the header', () => {
    expect(() => checkDataSize(h, descr, 168, 'a.npy')).not.toThrow();
  });
  it.each([
    [167, 'truncated', 167],
    [170, 'followed by 2 extra bytes', 168],
  ])('a file of %i bytes is %s', (size, what, offset) => {
    expect(() => checkDataSize(h, descr, size, 'a.npy')).toThrow(
      expect.objectContaining({
        code: 'SIZE_MISMATCH',
        message: expect.stringContaining(`data is ${what}`),
        offset,
      }),
    );
  });
});
