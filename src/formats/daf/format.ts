/**
 * The DataAxesFormats (daf) files-format description of one array, shared by the `daf` sink
 * and source: `<base>.yaml` says `version: [1, 0]` and, for a dense array, `dtype` and `shape`
 * (the data in `<base>.array`, little-endian, row-major); for a sparse CSR matrix,
 * `data_dtype`, `indices_dtype`, `indptr_dtype`, `shape` and `nnz` (the data in `<base>.data`,
 * `<base>.indices`, `<base>.indptr`).
 */
import { parse } from 'yaml';
import type { DType } from '../../core/dtype.ts';
import { DTYPES } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';

export interface DafDense {
  readonly kind: 'dense';
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface DafSparse {
  readonly kind: 'sparse';
  readonly dataDtype: DType;
  readonly indicesDtype: DType;
  readonly indptrDtype: DType;
  /** [rows, columns]. */
  readonly shape: readonly [number, number];
  readonly nnz: number;
}

export type DafArray = DafDense | DafSparse;

export function formatDafDenseYaml(dtype: DType, shape: readonly number[]): string {
  return `version: [1, 0]\ndtype: ${dtype}\nshape: [${shape.join(', ')}]\n`;
}

export function formatDafSparseYaml(info: Omit<DafSparse, 'kind'>): string {
  return (
    `version: [1, 0]\ndata_dtype: ${info.dataDtype}\nindices_dtype: ${info.indicesDtype}\n` +
    `indptr_dtype: ${info.indptrDtype}\nshape: [${info.shape.join(', ')}]\nnnz: ${info.nnz}\n`
  );
}

/** Parses and checks a daf .yaml text; FORMAT_INVALID/UNSUPPORTED name the field at fault. */
export function parseDafYaml(text: string, path: string): DafArray {
  const invalid = (message: string, hint?: string) =>
    new SluiceError('FORMAT_INVALID', `${path}: ${message}`, { path, hint });
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new SluiceError('FORMAT_INVALID', `${path}: not valid YAML`, { path, cause });
  }
  if (typeof doc !== 'object' || doc === null) throw invalid('not a mapping');
  const fields = doc as Record<string, unknown>;
  const version = fields.version;
  if (!Array.isArray(version) || version[0] !== 1) {
    throw new SluiceError(
      'FORMAT_UNSUPPORTED',
      `${path}: daf version ${JSON.stringify(version)} is unknown`,
      {
        path,
        hint: 'version [1, x] is supported',
      },
    );
  }
  const shape = fields.shape;
  // Safe integers only: 1e300 is an integer to JavaScript, but no dimension of a real file.
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0) || shape.length < 1) {
    throw invalid('shape is not a list of non-negative integers (below 2^53)');
  }
  const dtype = (key: string): DType => {
    const value = fields[key];
    if (typeof value !== 'string' || !(DTYPES as readonly string[]).includes(value)) {
      throw new SluiceError('FORMAT_UNSUPPORTED', `${path}: ${key} '${String(value)}' is not supported`, {
        path,
        hint: `one of ${DTYPES.join(', ')}`,
      });
    }
    return value as DType;
  };
  const integerDtype = (key: string): DType => {
    const value = dtype(key);
    if (value.startsWith('float')) {
      throw new SluiceError('FORMAT_UNSUPPORTED', `${path}: ${key} '${value}' is not an integer type`, {
        path,
        hint: 'CSR indices and indptr are integers: int8…int64 or uint8…uint64',
      });
    }
    return value;
  };
  if ('data_dtype' in fields) {
    if (shape.length !== 2) throw invalid('a sparse matrix needs a 2-D shape');
    const nnz = fields.nnz;
    if (!Number.isSafeInteger(nnz) || (nnz as number) < 0)
      throw invalid('nnz is not a non-negative integer (below 2^53)');
    return {
      kind: 'sparse',
      dataDtype: dtype('data_dtype'),
      indicesDtype: integerDtype('indices_dtype'),
      indptrDtype: integerDtype('indptr_dtype'),
      shape: [shape[0] as number, shape[1] as number],
      nnz: nnz as number,
    };
  }
  if (shape.length > 2) throw invalid(`${shape.length}-D arrays are not supported`, 'reshape it to 2-D');
  return { kind: 'dense', dtype: dtype('dtype'), shape: shape as number[] };
}

/** `<base>` of a path given as the base or as its `.yaml`. */
export function dafBase(path: string): string {
  return path.endsWith('.yaml') ? path.slice(0, -'.yaml'.length) : path;
}
