/**
 * A daf array as a table: its `.yaml` read (format.ts), and a dense array's `.array` laid out
 * as records for the table reader, its size checked against the `.yaml`. Sparse matrices are
 * read by sparse-reader.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import { itemSizeOf } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { TableLayout } from '../../io/table-reader.ts';
import { checkColumnCount } from '../../io/table-reader.ts';
import type { DafArray, DafDense } from './format.ts';
import { parseDafYaml } from './format.ts';

/** How a 2-D array becomes columns: k columns c0 … c(k-1), or one width-k column `value`. */
export type DafMatrixColumns = 'columns' | 'vector';

/** A daf `.yaml` is a few lines; anything larger is not one (and is not read into memory). */
const MAX_YAML_BYTES = 1 << 16;

/** Reads and parses `<base>.yaml`; a missing, unreadable or oversized file is a typed error. */
export async function readDafYaml(base: string): Promise<DafArray> {
  const yamlPath = `${base}.yaml`;
  let text: string;
  try {
    const stats = await stat(yamlPath);
    if (!stats.isFile()) {
      throw new SluiceError('IO_READ', `${yamlPath} is not a regular file`, {
        path: yamlPath,
        hint: 'name the array by its base path or its .yaml',
      });
    }
    const { size } = stats;
    if (size > MAX_YAML_BYTES) {
      throw new SluiceError('FORMAT_INVALID', `${yamlPath}: ${size} bytes is too large for a daf .yaml`, {
        path: yamlPath,
        hint: `a daf array description is a few lines (at most ${MAX_YAML_BYTES} bytes are read); check the path`,
      });
    }
    text = await readFile(yamlPath, 'utf8');
  } catch (error) {
    throw yamlReadError(yamlPath, error);
  }
  return parseDafYaml(text, yamlPath);
}

function yamlReadError(path: string, error: unknown): SluiceError {
  if (error instanceof SluiceError) return error;
  const code = error instanceof Error ? Reflect.get(error, 'code') : undefined;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new SluiceError('INPUT_MISSING', `daf array not found: ${path}`, {
      path,
      cause: error,
      hint: 'name the array by its base path or its .yaml (m or m.yaml for m.yaml + m.array)',
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SluiceError('IO_READ', `cannot read ${path}: ${reason}`, {
    path,
    cause: error,
    hint: 'check that the file is readable',
  });
}

/** Bytes of one row: the second dimension × the item size (exact: both are checked safe integers). */
function rowBytes(info: DafDense): number {
  return (info.shape[1] ?? 1) * itemSizeOf(info.dtype);
}

/**
 * Columns of a dense array: `value` for 1-D, c0 … (at most MAX_TABLE_COLUMNS, checked before
 * any is built) or one width-k `value` for 2-D.
 */
export function denseTable(
  info: DafDense,
  matrix: DafMatrixColumns,
  path = 'daf array',
): { layout: TableLayout; totalRows: number } {
  const [rows, k] = info.shape;
  const field = { dtype: info.dtype, littleEndian: true };
  const size = itemSizeOf(info.dtype);
  if (k !== undefined && matrix === 'columns') {
    checkColumnCount(k, path, undefined, 'read the rows as one width-k column instead: matrix: vector');
  }
  const fields =
    k === undefined
      ? [{ ...field, name: 'value', width: 1, offset: 0 }]
      : matrix === 'vector'
        ? [{ ...field, name: 'value', width: k, offset: 0 }]
        : Array.from({ length: k }, (_, j) => ({ ...field, name: `c${j}`, width: 1, offset: j * size }));
  return { layout: { kind: 'records', dataOffset: 0, recordSize: rowBytes(info), fields }, totalRows: rows };
}

/**
 * The `.array` must be exactly the rows the `.yaml` gives: otherwise it is truncated or stale.
 * The expected size is formed without overflow (a shape of more than 2^53 bytes never matches).
 */
export function checkDenseSize(info: DafDense, arrayPath: string, fileSize: number): void {
  const expected = exactProduct([info.shape[0], rowBytes(info)]);
  if (fileSize !== expected) {
    const claim = expected === undefined ? 'more than 2^53' : String(expected);
    throw new SluiceError('SIZE_MISMATCH', `${arrayPath}: ${fileSize} bytes, the .yaml says ${claim}`, {
      path: arrayPath,
      offset: Math.min(fileSize, expected ?? fileSize),
      hint: `shape [${info.shape.join(', ')}] of ${info.dtype}: the array is truncated or the .yaml is stale`,
    });
  }
}

/** The product of non-negative safe integers, or undefined when it exceeds 2^53. */
export function exactProduct(factors: readonly number[]): number | undefined {
  if (factors.includes(0)) return 0;
  let product = 1;
  for (const f of factors) {
    if (!Number.isSafeInteger(f) || f < 0 || product > Number.MAX_SAFE_INTEGER / f) return undefined;
    product *= f;
  }
  return product;
}
