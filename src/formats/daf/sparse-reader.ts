/**
 * A sparse CSR daf matrix (`.data`, `.indices`, `.indptr` beside its `.yaml`) as a source of
 * dense rows: each batch's rows are gathered from indptr, indices and data, then scattered
 * into a zeroed row-major block (csr.ts).
 *
 * Nothing the files claim is trusted: the three sizes must match the `.yaml`, indptr must
 * start at 0 and end at nnz, and each batch's indptr is checked (non-decreasing, within
 * [0, nnz]) before any index or value is read with it. The dense block is bounded before it
 * is allocated: at most SPARSE_MAX_WIDTH columns (MAX_TABLE_COLUMNS as separate columns) and
 * SPARSE_BATCH_BYTES per batch. Every error names the file; every error path closes the files.
 */
import type { Batch, Column } from '../../core/batch.ts';
import type { DType, TypedArray } from '../../core/dtype.ts';
import { allocArray, dtypeOf, itemSizeOf } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import type { OpenSource, ReadOptions } from '../../core/stage.ts';
import { batchRanges } from '../../io/batch-ranges.ts';
import { decodeContiguous } from '../../io/decode.ts';
import type { FileBytes, MappedFile } from '../../io/mapped-file.ts';
import { openMappedFile } from '../../io/open.ts';
import { checkColumnCount, resolveRowRange } from '../../io/table-reader.ts';
import type { CsrBlockOrigin } from './csr.ts';
import { checkIndptr, csrFileError, scatterRows } from './csr.ts';
import type { DafSparse } from './format.ts';
import type { DafMatrixColumns } from './reader.ts';
import { exactProduct } from './reader.ts';

export { scatterRows } from './csr.ts';

/** The most columns a CSR matrix may have (`matrix: vector`): a dense row is then ≤ 128 MiB. */
export const SPARSE_MAX_WIDTH = 2 ** 24;
/** The most bytes of one batch's dense block (rows × columns × item size): 256 MiB. */
export const SPARSE_BATCH_BYTES = 2 ** 28;

/** The rows to read and how to deliver them. */
export interface SparseRead {
  readonly startRow: number;
  readonly endRow?: number;
  readonly chunkRows: number;
  readonly sampleRate?: number;
  readonly matrix: DafMatrixColumns;
}

type Part = 'data' | 'indices' | 'indptr';
const PARTS: readonly Part[] = ['data', 'indices', 'indptr'];
type SparseFiles = Readonly<Record<Part, MappedFile>>;

/** The source of the sparse matrix at `base`; it owns the three files it opens. */
export async function openSparse(p: SparseRead, base: string, info: DafSparse): Promise<OpenSource> {
  const [totalRows, k] = info.shape;
  checkSparseWidth(k, p.matrix, `${base}.yaml`);
  const { startRow, endRow } = resolveRowRange(totalRows, p.startRow, p.endRow, base);
  const files = await openParts(base);
  try {
    await checkParts(files, info);
  } catch (error) {
    await closeParts(files);
    throw error;
  }
  const columns: ColumnSchema[] =
    p.matrix === 'vector'
      ? [{ name: 'value', dtype: info.dataDtype, width: k }]
      : Array.from({ length: k }, (_, j) => ({ name: `c${j}`, dtype: info.dataDtype, width: 1 }));
  const schema: Schema = { columns, sampleRate: p.sampleRate, source: `${base}.data`, origin: startRow };
  const range = { startRow, endRow, chunkRows: p.chunkRows };
  let closing: Promise<void> | undefined;
  return {
    path: `${base}.yaml`,
    format: 'daf',
    schema,
    rows: endRow - startRow,
    bytes: info.nnz * (itemSizeOf(info.dataDtype) + itemSizeOf(info.indicesDtype)),
    backend: 'read',
    details: { ...info },
    batches: (options) => {
      checkBatchBytes(info, { ...range, overlap: options.overlap }, files.data.path);
      return sparseBatches(files, info, schema, range, options);
    },
    close: () => (closing ??= closeParts(files)),
  };
}

/** FORMAT_UNSUPPORTED for more columns than a dense row of this source may have. */
function checkSparseWidth(k: number, matrix: DafMatrixColumns, path: string): void {
  if (matrix === 'columns') {
    checkColumnCount(k, path, undefined, 'read the rows as one width-k column instead: matrix: vector');
    return;
  }
  if (k <= SPARSE_MAX_WIDTH) return;
  throw new SluiceError(
    'FORMAT_UNSUPPORTED',
    `${path}: ${k} columns are more than the ${SPARSE_MAX_WIDTH} a dense row of a sparse matrix may have`,
    {
      path,
      hint: 'sparse rows are delivered dense; read a transposed (CSC as CSR) copy or a slice of columns',
    },
  );
}

/** PARAMS_INVALID when one batch's dense block (look-back included) would exceed SPARSE_BATCH_BYTES. */
function checkBatchBytes(
  info: DafSparse,
  range: { startRow: number; endRow: number; chunkRows: number; overlap: number },
  path: string,
): void {
  const { startRow, endRow, chunkRows, overlap } = range;
  if (endRow <= startRow) return;
  const lookBack = Math.min(overlap, endRow - 1);
  const rows = Math.min(chunkRows, endRow - startRow) + lookBack;
  const rowBytes = info.shape[1] * itemSizeOf(info.dataDtype);
  if (rows * rowBytes <= SPARSE_BATCH_BYTES) return;
  const fits = Math.floor(SPARSE_BATCH_BYTES / Math.max(1, rowBytes)) - lookBack;
  throw new SluiceError(
    'PARAMS_INVALID',
    `a batch of ${rows} dense rows of ${rowBytes} bytes needs ${rows * rowBytes} bytes, more than ${SPARSE_BATCH_BYTES}`,
    {
      path,
      hint:
        fits >= 1
          ? `sparse rows are densified per batch: set chunkRows to at most ${fits}`
          : `one row with its ${lookBack} rows of look-back does not fit; read fewer columns or shorten the look-back`,
    },
  );
}

/** Opens the three files, closing those already open when one fails. */
async function openParts(base: string): Promise<SparseFiles> {
  const opened: MappedFile[] = [];
  try {
    for (const part of PARTS) opened.push(await openPart(`${base}.${part}`));
  } catch (error) {
    await Promise.all(opened.map((file) => file.close()));
    throw error;
  }
  const [data, indices, indptr] = opened;
  return { data, indices, indptr };
}

async function openPart(path: string): Promise<MappedFile> {
  try {
    return await openMappedFile(path, { io: 'read' });
  } catch (error) {
    if (!(error instanceof SluiceError) || error.code !== 'INPUT_MISSING') throw error;
    throw new SluiceError('INPUT_MISSING', `cannot open ${path}`, {
      path,
      cause: error,
      hint: 'a sparse daf matrix needs .data, .indices and .indptr beside its .yaml',
    });
  }
}

function closeParts(files: SparseFiles): Promise<void> {
  return Promise.all(PARTS.map((part) => files[part].close())).then(() => undefined);
}

/** Each file's size against the `.yaml`, and indptr's first (0) and last (nnz) values. */
async function checkParts(files: SparseFiles, info: DafSparse): Promise<void> {
  const rows = info.shape[0];
  checkPartSize(files.indptr, rows + 1, info.indptrDtype, info);
  checkPartSize(files.indices, info.nnz, info.indicesDtype, info);
  checkPartSize(files.data, info.nnz, info.dataDtype, info);
  const size = itemSizeOf(info.indptrDtype);
  const hint = 'indptr must start at 0 and end at nnz: the .indptr file is corrupt or the .yaml is stale';
  const [first] = await readIndex(files.indptr, info.indptrDtype, 0, 1);
  if (first !== 0) throw csrFileError(files.indptr.path, 0, `indptr starts at ${first}, not 0`, hint);
  const [last] = await readIndex(files.indptr, info.indptrDtype, rows, 1);
  if (last !== info.nnz) {
    throw csrFileError(
      files.indptr.path,
      rows * size,
      `indptr ends at ${last}, not at nnz ${info.nnz}`,
      hint,
    );
  }
}

function checkPartSize(file: MappedFile, count: number, dtype: DType, info: DafSparse): void {
  const expected = exactProduct([count, itemSizeOf(dtype)]);
  if (file.size === expected) return;
  throw new SluiceError(
    'SIZE_MISMATCH',
    `${file.path}: ${file.size} bytes, the .yaml says ${expected ?? 'more than 2^53'} (${count} × ${dtype})`,
    {
      path: file.path,
      offset: Math.min(file.size, expected ?? file.size),
      hint: `shape [${info.shape.join(', ')}] with nnz ${info.nnz}: the file is truncated or the .yaml is stale`,
    },
  );
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
  for (const { first, end, rows, history } of batchRanges({ ...range, overlap: options.overlap })) {
    options.signal?.throwIfAborted();
    const { dense, count } = await readDenseRows(files, info, first, rows);
    const columns: Record<string, Column> = {};
    if (schema.columns.length === 1 && schema.columns[0].width === k && k !== 1) {
      columns.value = { data: dense, width: k };
    } else {
      schema.columns.forEach(
        (c, j) => (columns[c.name] = { data: strideColumn(dense, rows, k, j), width: 1 }),
      );
    }
    bytes += count * (itemSizeOf(info.dataDtype) + itemSizeOf(info.indicesDtype));
    options.onProgress?.({ rows: end - range.startRow, bytes });
    yield { schema, columns, rows, start: first, history };
  }
}

/** Rows [first, first + rows) as a dense row-major block; indptr checked before it is used. */
async function readDenseRows(
  files: SparseFiles,
  info: DafSparse,
  first: number,
  rows: number,
): Promise<{ dense: TypedArray; count: number }> {
  const origin: CsrBlockOrigin = {
    indptrPath: files.indptr.path,
    indicesPath: files.indices.path,
    firstRow: first,
    indptrItemSize: itemSizeOf(info.indptrDtype),
    indicesItemSize: itemSizeOf(info.indicesDtype),
  };
  const indptr = await readIndex(files.indptr, info.indptrDtype, first, rows + 1);
  checkIndptr(indptr, info.nnz, origin);
  const from = indptr[0];
  const count = indptr[rows] - from;
  const held: FileBytes[] = [];
  try {
    const indices = await acquireElements(files.indices, info.indicesDtype, from, count, held);
    const data = await acquireElements(files.data, info.dataDtype, from, count, held);
    const dense = allocArray(info.dataDtype, rows * info.shape[1]);
    scatterRows(indptr, toIndexValues(indices), data, dense, info.shape[1], info.nnz, origin);
    return { dense, count };
  } finally {
    for (const range of held) range.release();
  }
}

/** Elements [first, first + count) of a part as a typed array viewing bytes kept in `held`. */
async function acquireElements(
  file: MappedFile,
  dtype: DType,
  first: number,
  count: number,
  held: FileBytes[],
): Promise<TypedArray> {
  const size = itemSizeOf(dtype);
  // Both come from checked values (indptr within [0, nnz], nnz matching the file size), and
  // acquire checks the range again: no length the file cannot hold reaches a read.
  const range = await file.acquire(first * size, count * size);
  held.push(range);
  return decodeContiguous(range.bytes, range.writable, dtype, true);
}

/** Elements of an integer part as numbers (a copy, released at once). */
async function readIndex(
  file: MappedFile,
  dtype: DType,
  first: number,
  count: number,
): Promise<Float64Array> {
  const held: FileBytes[] = [];
  try {
    const values = toIndexValues(await acquireElements(file, dtype, first, count, held));
    return values instanceof Float64Array ? values : Float64Array.from(values);
  } finally {
    for (const range of held) range.release();
  }
}

/**
 * Integer values as numbers: 64-bit ones converted (exact up to 2^53; larger ones are refused
 * by the range checks either way), the others used as they are.
 */
function toIndexValues(a: TypedArray): ArrayLike<number> {
  if (!(a instanceof BigInt64Array || a instanceof BigUint64Array)) return a;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Number(a[i]);
  return out;
}

function strideColumn(dense: TypedArray, rows: number, k: number, j: number): TypedArray {
  const out = allocArray(dtypeOf(dense), rows);
  for (let r = 0; r < rows; r++) out[r] = dense[r * k + j];
  return out;
}
