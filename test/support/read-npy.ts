/**
 * Loads the small little-endian .npy fixtures numpy writes with np.save (C order, scalar
 * dtypes) into a fresh typed array. For test fixtures only: the npy source is the real reader.
 */
import { readFileSync } from 'node:fs';
import type { Column } from '../../src/core/batch.ts';
import type { DType, TypedArray } from '../../src/core/dtype.ts';
import { arrayConstructorOf } from '../../src/core/dtype.ts';

const DESCR_DTYPES: Readonly<Record<string, DType>> = {
  '|i1': 'int8',
  '|u1': 'uint8',
  '<i2': 'int16',
  '<u2': 'uint16',
  '<i4': 'int32',
  '<u4': 'uint32',
  '<i8': 'int64',
  '<u8': 'uint64',
  '<f4': 'float32',
  '<f8': 'float64',
};

export interface NpyArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

export function readNpy(path: string): NpyArray {
  const bytes = readFileSync(path);
  if (bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? '';
  const dtype = DESCR_DTYPES[descr];
  if (!dtype || !/'fortran_order':\s*False/.test(header))
    throw new Error(`${path}: unsupported header ${header}`);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new (arrayConstructorOf(dtype))(count);
  const dataStart = headerStart + headerLength;
  // A copy: the file buffer's offset need not be aligned for the element size.
  new Uint8Array(data.buffer).set(bytes.subarray(dataStart, dataStart + data.byteLength));
  return { dtype, shape, data };
}

/** A .npy file as a column: 1-D is width 1, 2-D (rows, k) is width k. */
export function readNpyColumn(path: string): Column {
  const { shape, data } = readNpy(path);
  if (shape.length > 2) throw new Error(`${path}: ${shape.length}-D arrays are not columns`);
  return { data, width: shape.length === 2 ? shape[1] : 1 };
}
