/**
 * The checks and the scatter of a block of CSR rows (`indptr`, `indices`, `data`), pure: the
 * sparse reader checks `indptr` before it reads any index or value with it, then scatters the
 * rows into a zeroed dense block. Repeated column indices within a row are added, as scipy
 * (`csr_matrix.toarray()`) and Julia (`SparseMatrixCSC`) do.
 */
import type { NumberArray, TypedArray } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';

/** Where a block of rows came from, so that errors name the file and byte at fault. */
export interface CsrBlockOrigin {
  readonly indptrPath: string;
  readonly indicesPath: string;
  /** The block's first row: `indptr[0]` of the block is element `firstRow` of the file. */
  readonly firstRow: number;
  readonly indptrItemSize: number;
  readonly indicesItemSize: number;
}

/**
 * FORMAT_INVALID unless every `indptr` value of the block lies in [0, nnz] and none is below
 * the one before: what makes [indptr[0], indptr[rows]) a safe range of `.indices` and `.data`.
 */
export function checkIndptr(indptr: ArrayLike<number>, nnz: number, origin?: CsrBlockOrigin): void {
  for (let i = 0; i < indptr.length; i++) {
    const value = indptr[i];
    const row = (origin?.firstRow ?? 0) + i;
    if (!(value >= 0 && value <= nnz)) {
      throw indptrError(`indptr[${row}] = ${value} is outside [0, nnz = ${nnz}]`, row, origin);
    }
    if (i > 0 && value < indptr[i - 1]) {
      throw indptrError(`indptr decreases at row ${row - 1} (${indptr[i - 1]} → ${value})`, row, origin);
    }
  }
}

/**
 * Adds each stored value of rows [0, rows) into its place in a zeroed row-major block of `k`
 * columns (so a repeated column index sums its values, as scipy does). `indptr` is absolute
 * (`indptr[0]` is the element `indices[0]` and `data[0]` hold); it is checked again here, and
 * every column index against [0, k), before anything is written.
 */
export function scatterRows(
  indptr: ArrayLike<number>,
  indices: ArrayLike<number>,
  data: TypedArray,
  dense: TypedArray,
  k: number,
  nnz: number,
  origin?: CsrBlockOrigin,
): void {
  checkBlock(indptr, indices, k, nnz, origin);
  const base = indptr[0];
  const rows = indptr.length - 1;
  if (dense instanceof BigInt64Array || dense instanceof BigUint64Array) {
    const values = data as BigInt64Array | BigUint64Array;
    for (let r = 0; r < rows; r++) {
      const end = indptr[r + 1] - base;
      for (let i = indptr[r] - base; i < end; i++) dense[r * k + indices[i]] += values[i];
    }
    return;
  }
  const out = dense as NumberArray;
  const values = data as NumberArray;
  for (let r = 0; r < rows; r++) {
    const end = indptr[r + 1] - base;
    for (let i = indptr[r] - base; i < end; i++) out[r * k + indices[i]] += values[i];
  }
}

/** The indptr order of the block and each column index of its rows. */
function checkBlock(
  indptr: ArrayLike<number>,
  indices: ArrayLike<number>,
  k: number,
  nnz: number,
  origin: CsrBlockOrigin | undefined,
): void {
  const base = indptr[0];
  const rows = indptr.length - 1;
  for (let r = 0; r < rows; r++) {
    const start = indptr[r];
    const end = indptr[r + 1];
    if (!(start >= base && end >= start && end <= nnz && end - base <= indices.length)) {
      const row = (origin?.firstRow ?? 0) + r;
      throw indptrError(`indptr is not non-decreasing within [0, nnz] at row ${row}`, row, origin);
    }
    for (let i = start - base; i < end - base; i++) {
      const j = indices[i];
      if (!(j >= 0 && j < k)) throw indexError(j, k, (origin?.firstRow ?? 0) + r, base + i, origin);
    }
  }
}

function indptrError(message: string, row: number, origin: CsrBlockOrigin | undefined): SluiceError {
  return new SluiceError(
    'FORMAT_INVALID',
    `${origin ? `${origin.indptrPath}: ` : ''}daf sparse matrix: ${message}`,
    {
      path: origin?.indptrPath,
      offset: origin && row * origin.indptrItemSize,
      hint: 'indptr must start at 0, never decrease and end at nnz: the .indptr file is corrupt or belongs to another matrix',
    },
  );
}

function indexError(
  j: number,
  k: number,
  row: number,
  element: number,
  origin: CsrBlockOrigin | undefined,
): SluiceError {
  return new SluiceError(
    'FORMAT_INVALID',
    `${origin ? `${origin.indicesPath}: ` : ''}daf sparse matrix: column index ${j} out of [0, ${k}) in row ${row}`,
    {
      path: origin?.indicesPath,
      offset: origin && element * origin.indicesItemSize,
      hint: 'the .indptr/.indices files do not describe a CSR matrix of this shape',
    },
  );
}

/** Error for a whole CSR file, not one block: a size or an end value of indptr. */
export function csrFileError(path: string, offset: number, message: string, hint: string): SluiceError {
  return new SluiceError('FORMAT_INVALID', `${path}: daf sparse matrix: ${message}`, { path, offset, hint });
}
