/**
 * The batch generator every fixed-record file source uses (docs/design.md §2 and §4): rows of a
 * table whose bytes sit at known file offsets, read in chunks with look-back, the next
 * chunk's read in flight while the current batch is processed, each chunk's bytes released
 * as soon as the consumer asks for the next batch.
 */
import { batchRangeAt, batchRanges } from './batch-ranges.ts';
import { constants as bufferConstants } from 'node:buffer';
import type { Batch, Column } from '../core/batch.ts';
import type { DType } from '../core/dtype.ts';
import { itemSizeOf } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import { ReusedArrays } from '../core/reused-arrays.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import type { OpenSource, Progress, ReadOptions } from '../core/stage.ts';
import type { FieldLayout } from './decode.ts';
import { decodeContiguous, decodeRecords, toBoolValues } from './decode.ts';
import type { AcquireOptions, FileBytes, MappedFile } from './mapped-file.ts';

/** Rows stored one after the other, `recordSize` bytes each, fields at offsets in a record. */
export interface RecordsLayout {
  readonly kind: 'records';
  /** File offset of row 0. */
  readonly dataOffset: number;
  readonly recordSize: number;
  readonly fields: readonly FieldLayout[];
}

/** One column stored contiguously at its own file offset (a Fortran-order 2-D array). */
export interface ColumnarField {
  readonly name: string;
  readonly dtype: DType;
  readonly littleEndian: boolean;
  readonly width: number;
  /** File offset of the column's row 0. */
  readonly fileOffset: number;
  /** numpy booleans (uint8): any non-zero byte reads as 1. */
  readonly bool?: boolean;
  /** Unit of the values, carried to the schema. */
  readonly unit?: string;
}

export interface ColumnarLayout {
  readonly kind: 'columnar';
  readonly columns: readonly ColumnarField[];
}

export type TableLayout = RecordsLayout | ColumnarLayout;

export interface TableReadOptions {
  readonly schema: Schema;
  /** Rows in the whole table, to check the range against. */
  readonly totalRows: number;
  readonly startRow: number;
  /** Exclusive. */
  readonly endRow: number;
  /** New rows per batch (the last batch may have fewer). */
  readonly chunkRows: number;
  /** Rows of look-back before each batch's new rows; it reaches before startRow, never before row 0. */
  readonly overlap: number;
  readonly reuseBuffers?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

/** One byte range of the file: [offset, offset + length). */
type ByteRange = readonly [offset: number, length: number];

/**
 * The most columns a source builds for one table (2-D arrays read as columns c0 … c(k-1)):
 * each column has a name, a schema entry and an array per batch, so a corrupt header
 * declaring millions of them must be refused before any is built. 65,536 covers every
 * real-world matrix read column by column; wider ones are read as one width-k column where
 * the format offers it (daf `matrix: vector`) or reshaped first.
 */
export const MAX_TABLE_COLUMNS = 65_536;

/** FORMAT_UNSUPPORTED when a table would have more than MAX_TABLE_COLUMNS columns; build nothing first. */
export function checkColumnCount(
  columns: number,
  path: string,
  offset: number | undefined,
  hint: string,
): void {
  if (columns <= MAX_TABLE_COLUMNS) return;
  throw new SluiceError(
    'FORMAT_UNSUPPORTED',
    `${path}: ${columns} columns are more than the ${MAX_TABLE_COLUMNS} sluice reads as separate columns`,
    { path, offset, hint },
  );
}

/** Bytes one row occupies in the file, padding included. */
export function rowBytesOf(layout: TableLayout): number {
  if (layout.kind === 'records') return layout.recordSize;
  return layout.columns.reduce((sum, c) => sum + itemSizeOf(c.dtype) * c.width, 0);
}

/** The schema columns a layout produces, in order. */
export function columnsOf(layout: TableLayout): ColumnSchema[] {
  const fields = layout.kind === 'records' ? layout.fields : layout.columns;
  return fields.map((f) => ({
    name: f.name,
    dtype: f.dtype,
    width: f.width,
    ...(f.unit ? { unit: f.unit } : {}),
  }));
}

/**
 * [startRow, endRow) checked against the table: endRow defaults to and is clamped at
 * `totalRows` (like a slice, so shards of a fixed size need not know the file length);
 * startRow beyond the table or beyond endRow is RANGE_INVALID.
 */
export function resolveRowRange(
  totalRows: number,
  startRow: number,
  endRow: number | undefined,
  path: string,
): { startRow: number; endRow: number } {
  checkRowOrder(startRow, endRow, path);
  if (startRow > totalRows) {
    throw new SluiceError(
      'RANGE_INVALID',
      `startRow ${startRow} is beyond the ${totalRows} rows of ${path}`,
      {
        path,
        hint: `startRow must be ≤ ${totalRows}`,
      },
    );
  }
  return { startRow, endRow: Math.min(endRow ?? totalRows, totalRows) };
}

/** RANGE_INVALID unless startRow ≤ endRow; what params alone can tell, before any file is opened. */
export function checkRowOrder(startRow: number, endRow: number | undefined, path: string): void {
  if (endRow !== undefined && startRow > endRow) {
    throw new SluiceError('RANGE_INVALID', `startRow ${startRow} is after endRow ${endRow}`, {
      path,
      hint: 'startRow must be ≤ endRow (endRow is exclusive)',
    });
  }
}

/**
 * Batches of rows [startRow, endRow), each with its look-back as batch-ranges.ts defines it.
 * Options are checked now, the file is read when the generator runs.
 */
export function readBatches(
  file: MappedFile,
  layout: TableLayout,
  options: TableReadOptions,
): AsyncGenerator<Batch, void, undefined> {
  checkReadOptions(file, layout, options);
  return generateBatches(file, layout, options);
}

async function* generateBatches(
  file: MappedFile,
  layout: TableLayout,
  options: TableReadOptions,
): AsyncGenerator<Batch, void, undefined> {
  const { schema, signal } = options;
  const acquire: AcquireOptions = { reuse: options.reuseBuffers ?? false };
  // Decoded columns go into the previous batch's arrays once the consumer is done with them.
  const pool = acquire.reuse ? new ReusedArrays(true) : undefined;
  const rowBytes = rowBytesOf(layout);
  const held: FileBytes[] = [];
  let delivered = 0;
  try {
    for (const { first, newStart, rows, history } of batchRanges(options)) {
      signal?.throwIfAborted();
      await acquireAll(file, rangesOf(layout, first, rows), acquire, held);
      prefetchNext(file, layout, options, newStart + options.chunkRows, acquire);
      const columns = decodeBatch(layout, held, rows, pool);
      delivered += rows - history;
      options.onProgress?.({ rows: delivered, bytes: delivered * rowBytes });
      yield { schema, columns, rows, start: first, history };
      // The consumer asked for the next batch, so it is done with this one.
      releaseAll(held);
    }
  } finally {
    releaseAll(held);
  }
}

function prefetchNext(
  file: MappedFile,
  layout: TableLayout,
  options: TableReadOptions,
  newStart: number,
  acquire: AcquireOptions,
): void {
  if (newStart >= options.endRow) return;
  const { first, rows } = batchRangeAt(options, newStart);
  // Both backends keep one prefetched range (a later prefetch replaces it), so only the first
  // is announced; the other columns of a columnar layout are read concurrently on acquire.
  const [[offset, length]] = rangesOf(layout, first, rows);
  file.prefetch(offset, length, acquire);
}

/** Acquires the ranges concurrently into `held`; on failure what did arrive is in `held` too. */
async function acquireAll(
  file: MappedFile,
  ranges: readonly ByteRange[],
  options: AcquireOptions,
  held: FileBytes[],
): Promise<void> {
  const results = await Promise.allSettled(
    ranges.map(([offset, length]) => file.acquire(offset, length, options)),
  );
  for (const result of results) if (result.status === 'fulfilled') held.push(result.value);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The byte ranges holding rows [first, first + rows): one for records, one per column. */
function rangesOf(layout: TableLayout, first: number, rows: number): ByteRange[] {
  if (layout.kind === 'records')
    return [[layout.dataOffset + first * layout.recordSize, rows * layout.recordSize]];
  return layout.columns.map((c) => {
    const bytes = itemSizeOf(c.dtype) * c.width;
    return [c.fileOffset + first * bytes, rows * bytes];
  });
}

function decodeBatch(
  layout: TableLayout,
  held: readonly FileBytes[],
  rows: number,
  pool: ReusedArrays | undefined,
): Record<string, Column> {
  if (layout.kind === 'records') {
    const [{ bytes, writable }] = held;
    return decodeRecords(bytes, writable, rows, layout.recordSize, layout.fields, pool);
  }
  const entries = layout.columns.map((c, i): [string, Column] => {
    const { bytes, writable } = held[i];
    const data = decodeContiguous(bytes, writable, c.dtype, c.littleEndian);
    return [c.name, { data: c.bool ? toBoolValues(data as Uint8Array, writable) : data, width: c.width }];
  });
  return Object.fromEntries(entries);
}

/** Releases and forgets every held range (release is idempotent, the list is emptied). */
function releaseAll(held: FileBytes[]): void {
  for (const bytes of held.splice(0)) bytes.release();
}

/** FORMAT_UNSUPPORTED for a layout without columns: there is nothing to read rows of. */
function checkHasColumns(layout: TableLayout, path: string): void {
  if ((layout.kind === 'records' ? layout.fields : layout.columns).length > 0) return;
  throw new SluiceError('FORMAT_UNSUPPORTED', `${path}: the file has no column sluice can read`, {
    path,
    hint: 'its header describes no numeric data; check that it is the file you meant',
  });
}

function checkReadOptions(file: MappedFile, layout: TableLayout, options: TableReadOptions): void {
  checkHasColumns(layout, file.path);
  const { totalRows, startRow, endRow, chunkRows, overlap } = options;
  const fail = (message: string): never => {
    throw new SluiceError('RANGE_INVALID', message, { path: file.path });
  };
  if (!Number.isSafeInteger(chunkRows) || chunkRows < 1)
    fail(`chunkRows ${chunkRows} is not a positive integer`);
  if (!Number.isSafeInteger(overlap) || overlap < 0) fail(`overlap ${overlap} is not a non-negative integer`);
  if (!(Number.isSafeInteger(startRow) && Number.isSafeInteger(endRow) && 0 <= startRow))
    fail('bad row range');
  if (startRow > endRow || endRow > totalRows) {
    fail(`rows [${startRow}, ${endRow}) are not within the ${totalRows} rows of ${file.path}`);
  }
  const rows = maxBatchRows(options);
  const largest = largestRangeOf(layout, rows);
  if (largest > bufferConstants.MAX_LENGTH) {
    throw new SluiceError('PARAMS_INVALID', `a batch of ${rows} rows needs ${largest} bytes at once`, {
      path: file.path,
      hint: `lower chunkRows so one batch stays under ${bufferConstants.MAX_LENGTH} bytes`,
    });
  }
}

/**
 * The most rows one batch reads: new rows (at most chunkRows, at most the range) plus their
 * look-back (at most overlap, never before row 0). A chunkRows larger than the range is no
 * larger batch, so a small file needs no smaller chunkRows than the default.
 */
function maxBatchRows({ startRow, endRow, chunkRows, overlap }: TableReadOptions): number {
  if (endRow <= startRow) return 0;
  return Math.min(chunkRows, endRow - startRow) + Math.min(overlap, endRow - 1);
}

/** Bytes of the longest range holding `rows` rows (a loop: a table may have many columns). */
function largestRangeOf(layout: TableLayout, rows: number): number {
  let largest = 0;
  for (const [, length] of rangesOf(layout, 0, rows)) largest = Math.max(largest, length);
  return largest;
}

export interface TableSourceInit {
  readonly file: MappedFile;
  /** The stage name (`npy`, `raw`, ...). */
  readonly format: string;
  readonly layout: TableLayout;
  readonly schema: Schema;
  readonly details: Readonly<Record<string, unknown>>;
  readonly totalRows: number;
  readonly startRow: number;
  readonly endRow: number;
  readonly chunkRows: number;
}

/**
 * The OpenSource of a table file: owns `file` (closed once by `close`), and reads it anew
 * each time `batches` is called (a prepare pass, then the main pass).
 */
export function createTableSource(init: TableSourceInit): OpenSource {
  const { file, layout, schema, totalRows, startRow, endRow, chunkRows } = init;
  checkHasColumns(layout, file.path);
  let closing: Promise<void> | undefined;
  return {
    path: file.path,
    format: init.format,
    schema,
    rows: endRow - startRow,
    bytes: (endRow - startRow) * rowBytesOf(layout),
    backend: file.backend,
    details: init.details,
    batches: (options: ReadOptions) =>
      readBatches(file, layout, { ...options, schema, totalRows, startRow, endRow, chunkRows }),
    close: () => (closing ??= file.close()),
  };
}
