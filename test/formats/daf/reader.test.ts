import { describe, expect, it } from 'vitest';
import type { DafDense } from '../../../src/formats/daf/format.ts';
import { checkDenseSize, denseTable } from '../../../src/formats/daf/reader.ts';
import { scatterRows } from '../../../src/formats/daf/sparse-reader.ts';

const matrix: DafDense = { kind: 'dense', dtype: 'float32', shape: [5, 3] };

describe('dense daf tables', () => {
  it('lays a 1-D array out as column value', () => {
    const { layout, totalRows } = denseTable({ kind: 'dense', dtype: 'int16', shape: [7] }, 'columns');
    expect(totalRows).toBe(7);
    expect(layout).toEqual({
      kind: 'records',
      dataOffset: 0,
      recordSize: 2,
      fields: [{ name: 'value', dtype: 'int16', littleEndian: true, width: 1, offset: 0 }],
    });
  });

  it('lays a 2-D array out as columns c0 … or one width-k value', () => {
    const columns = denseTable(matrix, 'columns').layout;
    expect(columns.kind === 'records' && columns.fields.map((f) => [f.name, f.offset])).toEqual([
      ['c0', 0],
      ['c1', 4],
      ['c2', 8],
    ]);
    const vector = denseTable(matrix, 'vector').layout;
    expect(vector).toMatchObject({ recordSize: 12, fields: [{ name: 'value', width: 3, offset: 0 }] });
  });

  it('needs the .array to hold exactly the shape', () => {
    expect(() => checkDenseSize(matrix, 'm.array', 60)).not.toThrow();
    expect(() => checkDenseSize(matrix, 'm.array', 56)).toThrow(
      expect.objectContaining({
        code: 'SIZE_MISMATCH',
        message: 'm.array: 56 bytes, the .yaml says 60',
        offset: 56,
      }),
    );
  });
});

describe('scatterRows', () => {
  it('places each stored value of a CSR block in a dense row-major block', () => {
    // Rows 1 and 2 of [[0, 5, 0], [7, 0, 8], [0, 0, 9]]: indptr is absolute (starts at 1).
    const dense = new Float32Array(6);
    scatterRows(
      Float64Array.from([1, 3, 4]),
      Float64Array.from([0, 2, 2]),
      Float32Array.from([7, 8, 9]),
      dense,
      3,
      4,
    );
    expect([...dense]).toEqual([7, 0, 8, 0, 0, 9]);
  });

  it('refuses a column index outside the row', () => {
    const dense = new Float32Array(3);
    expect(() =>
      scatterRows(Float64Array.from([0, 1]), Float64Array.from([3]), Float32Array.from([1]), dense, 3, 1),
    ).toThrow(
      expect.objectContaining({
        code: 'FORMAT_INVALID',
        message: 'daf sparse matrix: column index 3 out of [0, 3) in row 0',
      }),
    );
  });
});
