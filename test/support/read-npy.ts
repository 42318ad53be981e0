/**
 * Loads the small native-order, C-order, scalar-dtype .npy fixtures numpy writes with
 * np.save into a fresh typed array, using the project's header parser. For test fixtures
 * only: the npy source is the streaming reader.
 */
import { readFileSync } from 'node:fs';
import type { Column } from '../../src/core/batch.ts';
import type { DType, TypedArray } from '../../src/core/dtype.ts';
import { arrayConstructorOf } from '../../src/core/dtype.ts';
import { parseNpyDescr } from '../../src/formats/npy/descr.ts';
import { parseNpyHeader } from '../../src/formats/npy/header.ts';

export interface NpyArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

export function readNpy(path: string): NpyArray {
  const bytes = readFileSync(path);
  const header = parseNpyHeader(bytes, path);
  const descr = parseNpyDescr(header.descr, path, header.headerOffset);
  const [field] = descr.fields;
  if (descr.structured || header.fortranOrder || !field.type.littleEndian) {
    throw new Error(`${path}: only native-order, C-order scalar arrays`);
  }
  const dtype = field.type.dtype;
  const count = header.shape.reduce((a, b) => a * b, 1);
  const data = new (arrayConstructorOf(dtype))(count);
  // A copy: the file buffer's offset need not be aligned for the element size.
  new Uint8Array(data.buffer).set(bytes.subarray(header.dataOffset, header.dataOffset + data.byteLength));
  return { dtype, shape: header.shape, data };
}

/** A .npy file as a column: 1-D is width 1, 2-D (rows, k) is width k. */
export function readNpyColumn(path: string): Column {
  const { shape, data } = readNpy(path);
  if (shape.length > 2) throw new Error(`${path}: ${shape.length}-D arrays are not columns`);
  return { data, width: shape.length === 2 ? shape[1] : 1 };
}
