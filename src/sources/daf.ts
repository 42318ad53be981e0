import type { FileHandle } from 'node:fs/promises';
import { open, readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Batch, Column } from '../core/batch.ts';
import type { DType, TypedArray } from '../core/dtype.ts';
import { allocArray, dtypeOf, itemSizeOf } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import type { OpenSource, ReadOptions } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import type { DafDense, DafSparse } from '../formats/daf/format.ts';
import { dafBase, parseDafYaml } from '../formats/daf/format.ts';
import { checkRowOrder, resolveRowRange } from '../io/table-reader.ts';
import type { TableLayout } from '../io/table-reader.ts';
import { fileSourceFields, openTableFile } from '../adapters/file-params.ts';

const params = z
  .object({
    ...fileSourceFields,
    path: z
      .string()
      .min(1)
      .describe('The array: its base path or its `.yaml` (`m` or `m.yaml` for m.yaml + m.array).'),
    matrix: z
      .enum(['columns', 'vector'])
      .default('columns')
      .describe(
        'A 2-D (rows, k) array as k columns c0 … c(k-1) (as the npy source), or as one width-k column `value`.',
      ),
  })
  .strict()
  .describe(
    'Reads a DataAxesFormats (daf) array: dense (`.yaml` + `.array`, little-endian row-major; 1-D as column ' +
      '`value`) or sparse CSR (`.yaml` + `.data`, `.indices`, `.indptr`), whose rows are delivered dense.',
  );

export type DafSourceParams = z.output<typeof params>;

export default defineStage({
  name: 'daf',
  kind: 'source',
  params,
  extensions: ['.yaml'],
  inputs: (p) => [`${dafBase(p.path)}.yaml`],
  create: async (p, ctx) => {
    checkRowOrder(p.startRow, p.endRow, p.path);
    const base = dafBase(p.path);
    const yamlPath = `${base}.yaml`;
    const info = parseDafYaml(await readFile(yamlPath, 'utf8'), yamlPath);
    if (info.kind === 'sparse') return openSparse(p, base, info);
    const arrayPath = `${base}.array`;
    return openTableFile({ ...p, path: arrayPath }, ctx, (file) => {
      const { layout, totalRows } = denseTable(info, p.matrix);
      const expected = totalRows * rowBytes(info);
      if (file.size !== expected) {
        throw new SluiceError(
          'SIZE_MISMATCH',
          `${arrayPath}: ${file.size} bytes, the .yaml says ${expected}`,
          {
            path: arrayPath,
            offset: Math.min(file.size, expected),
            hint: `shape [${info.shape.join(', ')}] of ${info.dtype}: the array is truncated or the .yaml is stale`,
          },
        );
      }
      return { format: 'daf', layout, totalRows, details: { ...info } };
    });
  },
});

function rowBytes(info: DafDense): number {
  return (info.shape[1] ?? 1) * itemSizeOf(info.dtype);
}

/** Columns of a dense array: `value` for 1-D, c0 … or one width-k `value` for 2-D. */
export function denseTable(
  info: DafDense,
  matrix: 'columns' | 'vector',
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

// ---------------------------------------------------------------------------------------
// Sparse CSR: rows are gathered per batch from indptr, indices and data, then made dense.

interface SparseFiles {
  data: FileHandle;
  indices: FileHandle;
  indptr: FileHandle;
}

async function openSparse(p: DafSourceParams, base: string, info: DafSparse): Promise<OpenSource> {
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
