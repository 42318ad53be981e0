/**
 * The column type of a file format's numeric type, given as a kind and a size: how npy
 * (`<i4`), HDF5 (integer class, 4 bytes, signed) and APT (record data type 1, 32 bits) name
 * their element types, decoded in one place.
 */
import type { DType } from './dtype.ts';
import { DTYPES, itemSizeOf } from './dtype.ts';

export type NumericKind = 'int' | 'uint' | 'float';

function kindOf(dtype: DType): NumericKind {
  return dtype.startsWith('float') ? 'float' : dtype.startsWith('u') ? 'uint' : 'int';
}

/** The dtype of `bytes`-byte values of `kind`; undefined when sluice has none (float16, int128). */
export function numericDType(kind: NumericKind, bytes: number): DType | undefined {
  return DTYPES.find((d) => kindOf(d) === kind && itemSizeOf(d) === bytes);
}
