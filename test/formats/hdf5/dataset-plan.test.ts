import type { Dataset, File as H5File } from 'h5wasm/node';
import { describe, expect, it } from 'vitest';
import type { Hdf5Plan, PlannedColumn } from '../../../src/formats/hdf5/dataset-plan.ts';
import type { Hdf5Library } from '../../../src/formats/hdf5/h5wasm-calls.ts';
import {
  checkExtents,
  checkStorageSize,
  contiguousColumns,
  describePlan,
  isDirectPlan,
} from '../../../src/formats/hdf5/dataset-plan.ts';

function column(name: string, storage: PlannedColumn['storage'], width = 1): PlannedColumn {
  const dataset = { path: `/g/${name}` } as Dataset;
  return { name, dataset, dtype: 'float32', width, rows: 100, littleEndian: true, storage };
}

function plan(columns: PlannedColumn[]): Hdf5Plan {
  const superblock = { offset: 0, version: 2, sizeOfOffsets: 8, sizeOfLengths: 8, baseAddress: 0 };
  return { h5: {} as H5File, library: {} as Hdf5Library, columns, superblock, totalRows: 100 };
}

const a = column('a', { kind: 'contiguous', offset: 2048, size: 400 });
const b = column('b', { kind: 'contiguous', offset: 4096, size: 1200 }, 3);
const chunked = column('c', { kind: 'other', reason: 'chunked' });

describe('the HDF5 read plan', () => {
  it('is direct only when every dataset is contiguous', () => {
    expect(isDirectPlan(plan([a, b]))).toBe(true);
    expect(isDirectPlan(plan([a, chunked]))).toBe(false);
  });

  it('gives the table reader each column at its data offset', () => {
    expect(contiguousColumns(plan([a, b]))).toEqual([
      { name: 'a', dtype: 'float32', littleEndian: true, width: 1, fileOffset: 2048 },
      { name: 'b', dtype: 'float32', littleEndian: true, width: 3, fileOffset: 4096 },
    ]);
  });

  it('describes datasets, shapes and storage for inspect', () => {
    expect(describePlan(plan([b, chunked]))).toEqual({
      superblockVersion: 2,
      read: 'h5wasm',
      datasets: [
        { column: 'b', dataset: '/g/b', dtype: 'float32', shape: [100, 3], storage: { contiguous: 4096 } },
        { column: 'c', dataset: '/g/c', dtype: 'float32', shape: [100], storage: 'chunked' },
      ],
      totalRows: 100,
    });
  });

  it('refuses a contiguous dataset whose shape takes more or fewer bytes than it stores', () => {
    expect(() => checkStorageSize(a.storage, 400, '/g/a', 'f.h5')).not.toThrow();
    expect(() => checkStorageSize(chunked.storage, 1, '/g/c', 'f.h5')).not.toThrow();
    expect(() =>
      checkStorageSize({ ...a.storage, layoutAt: 900 } as PlannedColumn['storage'], 4000, '/g/a', 'f.h5'),
    ).toThrow(
      expect.objectContaining({
        code: 'FORMAT_INVALID',
        message: 'f.h5: dataset /g/a stores 400 bytes, its shape and type take 4000',
        offset: 900,
      }),
    );
  });

  it('refuses a contiguous dataset running past the end of the file', () => {
    expect(() => checkExtents([a, b, chunked], 4096 + 1200, 'f.h5')).not.toThrow();
    expect(() => checkExtents([a, b], 4096 + 1199, 'f.h5')).toThrow(
      expect.objectContaining({
        code: 'SIZE_MISMATCH',
        message: 'f.h5: dataset /g/b needs bytes up to 5296, the file has 5295',
        offset: 4096,
      }),
    );
  });
});
