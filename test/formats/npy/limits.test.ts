/**
 * What a .npy header may claim: sizes formed exactly (beyond 2^53 bytes is FORMAT_INVALID),
 * at most MAX_TABLE_COLUMNS columns, refused before a single column is built.
 */
import { describe, expect, it } from 'vitest';
import { parseNpyDescr } from '../../../src/formats/npy/descr.ts';
import type { NpyHeader } from '../../../src/formats/npy/header.ts';
import type { PyValue } from '../../../src/formats/npy/py-literal.ts';
import { pyList, pyTuple } from '../../../src/formats/npy/py-literal.ts';
import { checkDataSize, npyTable } from '../../../src/formats/npy/reader.ts';
import { MAX_TABLE_COLUMNS } from '../../../src/io/table-reader.ts';

function header(descr: PyValue, shape: number[], fortranOrder = false): NpyHeader {
  return { version: '1.0', headerOffset: 10, headerLength: 118, dataOffset: 128, descr, shape, fortranOrder };
}

function sizeCheck(descr: PyValue, shape: number[], fileSize: number): () => void {
  const h = header(descr, shape);
  return () => checkDataSize(h, parseNpyDescr(descr, 'a.npy', 10), fileSize, 'a.npy');
}

describe('checkDataSize: exact arithmetic', () => {
  it.each([
    [[4294967296, 4294967296], '<f4'],
    [[3037000500, 3037000500], '<i8'],
    [[2 ** 26, 2 ** 26, 2], '<f8'],
  ])('shape %j of %s is FORMAT_INVALID (more than 2^53 bytes)', (shape, descr) => {
    expect(sizeCheck(descr, shape, 192)).toThrow(
      expect.objectContaining({ code: 'FORMAT_INVALID', path: 'a.npy', offset: 10 }),
    );
  });

  it('a zero dimension is 0 bytes whatever the others', () => {
    expect(sizeCheck('<f8', [0, 2 ** 52], 128)).not.toThrow();
  });

  it('just under 2^53 is compared exactly', () => {
    expect(sizeCheck('|u1', [2 ** 26, 2 ** 26], 128)).toThrow(
      expect.objectContaining({
        code: 'SIZE_MISMATCH',
        message: expect.stringContaining(`needs ${2 ** 52} bytes`),
      }),
    );
  });
});

describe('structured dtypes: exact record sizes', () => {
  it.each([
    [pyTuple('a', '<f8', pyTuple(2 ** 30, 2 ** 30)), 'more than 2^53 values'],
    [pyTuple('a', '<f8', pyTuple(2 ** 51)), 'beyond 2^53 bytes'],
  ])('%j is FORMAT_INVALID', (field, message) => {
    expect(() => parseNpyDescr(pyList([field]), 'a.npy', 10)).toThrow(
      expect.objectContaining({ code: 'FORMAT_INVALID', message: expect.stringContaining(message) }),
    );
  });
});

describe('npyTable: the column cap comes before any column is built', () => {
  it.each([
    [[2, MAX_TABLE_COLUMNS + 1], false],
    [[1, 50_000_000], false],
    [[4294967296, 4294967296], true],
  ])('shape %j (fortran %s) is FORMAT_UNSUPPORTED at once', (shape, fortran) => {
    const h = header('<f4', shape, fortran);
    const start = performance.now();
    expect(() => npyTable(h, parseNpyDescr('<f4', 'a.npy', 10), 'a.npy')).toThrow(
      expect.objectContaining({ code: 'FORMAT_UNSUPPORTED', path: 'a.npy', offset: 10 }),
    );
    expect(performance.now() - start).toBeLessThan(100);
  });

  it('a structured dtype of more than MAX_TABLE_COLUMNS fields is FORMAT_UNSUPPORTED', () => {
    const fields = Array.from({ length: MAX_TABLE_COLUMNS + 1 }, (_, i) => pyTuple(`f${i}`, '|u1'));
    const descr = pyList(fields);
    expect(() => npyTable(header(descr, [1]), parseNpyDescr(descr, 'a.npy', 10), 'a.npy')).toThrow(
      expect.objectContaining({ code: 'FORMAT_UNSUPPORTED', path: 'a.npy' }),
    );
  });

  it('marks bool fields, and only them', () => {
    const { layout } = npyTable(header('|b1', [3, 2]), parseNpyDescr('|b1', 'a.npy', 10), 'a.npy');
    expect(layout.kind === 'records' && layout.fields.map((f) => f.bool)).toEqual([true, true]);
    const plain = npyTable(header('|u1', [3]), parseNpyDescr('|u1', 'a.npy', 10), 'a.npy').layout;
    expect(plain.kind === 'records' && 'bool' in plain.fields[0]).toBe(false);
  });
});
