/**
 * A daf array as a table: its `.yaml` read (format.ts), and a dense array's `.array` laid out
 * as records for the table reader, its size checked against the `.yaml`. Sparse matrices are
 * read by sparse-reader.ts.
 */
import { readFile } from 'node:fs/promises';
import { itemSizeOf } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { TableLayout } from '../../io/table-reader.ts';
import type { DafArray, DafDense } from './format.ts';
import { parseDafYaml } from './format.ts';

/** How a 2-D array becomes columns: k columns c0 … c(k-1), or one width-k column `value`. */
export type DafMatrixColumns = 'columns' | 'vector';

/** Reads and parses `<base>.yaml`. */
export async function readDafYaml(base: string): Promise<DafArray> {
  const yamlPath = `${base}.yaml`;
  return parseDafYaml(await readFile(yamlPath, 'utf8'), yamlPath);
}

function rowBytes(info: DafDense): number {
  return (info.shape[1] ?? 1) * itemSizeOf(info.dtype);
}

/** Columns of a dense array: `value` for 1-D, c0 … or one width-k `value` for 2-D. */
export function denseTable(
  info: DafDense,
  matrix: DafMatrixColumns,
): { layout: TableLayout; totalRows: number } {
  const [rows, k] = info.shape;
  const field = { dtype: info.dtype, littleEndian: true };
  const size = itemSizeOf(info.dtype);
  const fields =
    k === undefined
      ? [{ ...field, name: 'value', width: 1, offset: 0 }]
      : matrix === 'vector'
        ? [{ ...field, name: 'value', width: k, offset: 0 }]
        : Array.from({ length: k }, (_, j) => ({ ...field, name: `c${j}`, width: 1, offset: j * size }));
  return { layout: { kind: 'records', dataOffset: 0, recordSize: rowBytes(info), fields }, totalRows: rows };
}

/** The `.array` must be exactly the rows the `.yaml` gives: otherwise it is truncated or stale. */
export function checkDenseSize(info: DafDense, arrayPath: string, fileSize: number): void {
  const expected = info.shape[0] * rowBytes(info);
  if (fileSize !== expected) {
    throw new SluiceError('SIZE_MISMATCH', `${arrayPath}: ${fileSize} bytes, the .yaml says ${expected}`, {
      path: arrayPath,
      offset: Math.min(fileSize, expected),
      hint: `shape [${info.shape.join(', ')}] of ${info.dtype}: the array is truncated or the .yaml is stale`,
    });
  }
}
