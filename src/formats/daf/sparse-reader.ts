/**
 * A sparse CSR daf matrix (`.data`, `.indices`, `.indptr` beside its `.yaml`) as a source of
 * dense rows: each batch's rows are gathered from indptr, indices and data, then scattered
 * into a zeroed row-major block.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Batch, Column } from '../../core/batch.ts';
import type { DType, TypedArray } from '../../core/dtype.ts';
import { allocArray, dtypeOf, itemSizeOf } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import type { OpenSource, ReadOptions } from '../../core/stage.ts';
import { resolveRowRange } from '../../io/table-reader.ts';
import type { DafSparse } from './format.ts';
import type { DafMatrixColumns } from './reader.ts';

/** The rows to read and how to deliver them. */
export interface SparseRead {
  readonly startRow: number;
  readonly endRow?: number;
  readonly chunkRows: number;
  readonly sampleRate?: number;
  readonly matrix: DafMatrixColumns;
}

interface SparseFiles {
  data: FileHandle;
  indices: FileHandle;
  indptr: FileHandle;
}

/** The source of the sparse matrix at `base`; it owns the three files it opens. */
export async function openSparse(p: SparseRead, base: string, info: DafSparse): Promise<OpenSource> {
  const [totalRows, k] = info.shape;
  const { startRow, endRow } = resolveRowRange(totalRows, p.startRow, p.endRow, base);
  const files: Partial<SparseFiles> = {};
  try {
    for (const part of ['data', 'indices', 'indptr'] as const)
      files[part] = await openPart(`${base}.${part}`);
  } catch (error) {
    await Promise.all(Object.values(files).map((f) => f.close()));
    throw error;
  }
  const opened = files as SparseFiles;
  const columns: ColumnSchema[] =
    p.matrix === 'vector'
      ? [{ name: 'value', dtype: info.dataDtype, width: k }]
      : Array.from({ length: k }, (_, j) => ({ name: `c${j}`, dtype: info.dataDtype, width: 1 }));
  const schema: Schema = { columns, sampleRate: p.sampleRate, source: `${base}.data`, origin: startRow };
  let closing: Promise<void> | undefined;
  return {
    path: `${base}.yaml`,
    format: 'daf',
    schema,
    rows: endRow - startRow,
    bytes: info.nnz * (itemSizeOf(info.dataDtype) + itemSizeOf(info.indicesDtype)),
    backend: 'read',
    details: { ...info },
    batches: (options) => sparseBatches(opened, info, schema, { ...p, startRow, endRow }, options),
    close: () => (closing ??= Promise.all(Object.values(opened).map((f) => f.close())).then(() => undefined)),
  };
}

async function openPart(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (cause) {
    throw new SluiceError('INPUT_MISSING', `cannot open ${path}`, {
      path,
      cause,
      hint: 'a sparse daf matrix needs .data, .indices and .indptr beside its .yaml',
    });
  }
}

async function* sparseBatches(
  files: SparseFiles,
  info: DafSparse,
  schema: Schema,
  range: { startRow: number; endRow: number; chunkRows: number },
  options: ReadOptions,
): AsyncGenerator<Batch, void, undefined> {
  const k = info.shape[1];
  let bytes = 0;
  for (let newStart = range.startRow; newStart < range.endRow; newStart += range.chunkRows) {
    options.signal?.throwIfAborted();
    const first = Math.max(0, newStart - options.overlap);
    const last = Math.min(newStart + range.chunkRows, range.endRow);
    const rows = last - first;
    const indptr = toNumbers(await readArray(files.indptr, info.indptrDtype, first, rows + 1, 'indptr'));
    const from = indptr[0];
    const count = indptr[rows] - from;
    const indices = toNumbers(await readArray(files.indices, info.indicesDtype, from, count, 'indices'));
    const data = await readArray(files.data, info.dataDtype, from, count, 'data');
    const dense = allocArray(info.dataDtype, rows * k);
    scatterRows(indptr, indices, data, dense, k, info.nnz);
    const columns: Record<string, Column> = {};
    if (schema.columns.length === 1 && schema.columns[0].width === k && k !== 1) {
      columns.value = { data: dense, width: k };
    } else {
      schema.columns.forEach(
        (c, j) => (columns[c.name] = { data: strideColumn(dense, rows, k, j), width: 1 }),
      );
    }
    bytes += count * (itemSizeOf(info.dataDtype) + itemSizeOf(info.indicesDtype));
    options.onProgress?.({ rows: last - range.startRow, bytes });
    yield { schema, columns, rows, start: first, history: newStart - first };
  }
}

/** Writes each stored value of rows [0, rows) into its place in a zeroed row-major matrix. */
export function scatterRows(
  indptr: Float64Array,
  indices: Float64Array,
  data: TypedArray,
  dense: TypedArray,
  k: number,
  nnz: number,
): void {
  const base = indptr[0];
  const rows = indptr.length - 1;
  for (let r = 0; r < rows; r++) {
    const start = indptr[r];
    const end = indptr[r + 1];
    if (end < start || end > nnz) throw badCsr(`indptr is not non-decreasing within [0, nnz] at row ${r}`);
    for (let i = start - base; i < end - base; i++) {
      const j = indices[i];
      if (!(j >= 0 && j < k)) throw badCsr(`column index ${j} out of [0, ${k}) in row ${r}`);
      dense[r * k + j] = data[i];
    }
  }
}

function badCsr(message: string): SluiceError {
  return new SluiceError('FORMAT_INVALID', `daf sparse matrix: ${message}`, {
    hint: 'the .indptr/.indices files do not describe a CSR matrix of this shape',
  });
}

function strideColumn(dense: TypedArray, rows: number, k: number, j: number): TypedArray {
  const out = allocArray(dtypeOf(dense), rows);
  for (let r = 0; r < rows; r++) out[r] = dense[r * k + j];
  return out;
}

async function readArray(
  file: FileHandle,
  dtype: DType,
  first: number,
  count: number,
  part: string,
): Promise<TypedArray> {
  const size = itemSizeOf(dtype);
  const out = allocArray(dtype, count);
  const bytes = new Uint8Array(out.buffer);
  const { bytesRead } = await file.read(bytes, 0, bytes.length, first * size);
  if (bytesRead !== bytes.length) {
    throw new SluiceError(
      'IO_SHORT_READ',
      `daf .${part}: ${bytesRead} of ${bytes.length} bytes at element ${first}`,
      {
        offset: first * size,
        hint: 'the file is shorter than the .yaml says',
      },
    );
  }
  return out;
}

/** Indices and offsets as doubles (exact up to 2^53, far beyond any file). */
function toNumbers(a: TypedArray): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Number(a[i]);
  return out;
}
