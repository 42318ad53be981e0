/**
 * The batch generator of the sources whose files are decoded front to back in pieces of
 * their own size (Parquet row groups and pages, Arrow record batches, CSV lines): the pieces
 * are cut into batches exactly as the table reader cuts a fixed-record file (batch-ranges.ts,
 * docs/design.md §2), with look-back before startRow when the planner asks for it. Only the
 * pieces the current batch needs are held.
 */
import { batchRanges } from './batch-ranges.ts';
import type { Batch, Column } from '../core/batch.ts';
import type { TypedArray } from '../core/dtype.ts';
import { arrayConstructorOf, dtypeOf, itemSizeOf } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import { ReusedArrays } from '../core/reused-arrays.ts';
import type { Schema } from '../core/schema.ts';
import type { OpenSource, ReadOptions } from '../core/stage.ts';
import { checkRowOrder } from './table-reader.ts';

/** Consecutive rows a format decoded: one array per schema column, `rows × width` values each. */
export interface RowPiece {
  /** Global row of its first row. */
  readonly start: number;
  readonly rows: number;
  readonly columns: readonly TypedArray[];
}

/** The pieces holding rows [from, end), in order; the first may start before `from`, the last end after `end`. */
export type PieceReader = (from: number, end: number, signal?: AbortSignal) => AsyncIterable<RowPiece>;

export interface StreamedSourceInit {
  readonly path: string;
  readonly format: string;
  readonly schema: Schema;
  readonly details: Readonly<Record<string, unknown>>;
  readonly startRow: number;
  /** Exclusive, within the file. */
  readonly endRow: number;
  readonly chunkRows: number;
  /** Bytes of the file read for the range (compressed bytes of the row groups read, ...). */
  readonly bytes: number;
  readonly pieces: PieceReader;
  /** Releases what the reader holds; called once. */
  readonly close: () => Promise<void> | void;
}

/** The OpenSource of a streamed table: reads the file anew each time `batches` is called. */
export function createStreamedSource(init: StreamedSourceInit): OpenSource {
  checkRowOrder(init.startRow, init.endRow, init.path);
  let closing: Promise<void> | undefined;
  return {
    path: init.path,
    format: init.format,
    schema: init.schema,
    rows: init.endRow - init.startRow,
    bytes: init.bytes,
    backend: 'read',
    details: init.details,
    batches: (options: ReadOptions) => streamedBatches(init, options),
    close: () => (closing ??= Promise.resolve(init.close())),
  };
}

async function* streamedBatches(init: StreamedSourceInit, options: ReadOptions): AsyncGenerator<Batch> {
  const { schema, startRow, endRow, path } = init;
  const { overlap, signal } = options;
  if (endRow <= startRow) return;
  const pool = new ReusedArrays(options.reuseBuffers ?? false);
  const rowBytes = schema.columns.reduce((n, c) => n + itemSizeOf(c.dtype) * c.width, 0);
  const readFrom = Math.max(0, startRow - overlap);
  const pieces = init.pieces(readFrom, endRow, signal)[Symbol.asyncIterator]();
  const held: RowPiece[] = [];
  let delivered = 0;
  try {
    for (const { first, newStart, end, rows, history } of batchRanges({ ...init, overlap })) {
      signal?.throwIfAborted();
      while (held.length > 0 && held[0].start + held[0].rows <= first) held.shift();
      while (held.length === 0 || last(held) < end) {
        const next = await pieces.next();
        if (next.done) throw shortFile(path, held.length ? last(held) : readFrom, end);
        if (next.value.rows > 0 && next.value.start + next.value.rows > first) held.push(next.value);
      }
      const columns: Record<string, Column> = {};
      schema.columns.forEach((c, i) => {
        columns[c.name] = { data: rowsOf(held, i, first, end, c.width, pool, c.name), width: c.width };
      });
      delivered += end - newStart;
      options.onProgress?.({ rows: delivered, bytes: delivered * rowBytes });
      yield { schema, columns, rows, start: first, history };
    }
  } finally {
    await pieces.return?.();
  }
}

function last(held: readonly RowPiece[]): number {
  const piece = held[held.length - 1];
  return piece.start + piece.rows;
}

/** Rows [first, end) of column `i`: a view when one piece holds them, else a copy. */
function rowsOf(
  held: readonly RowPiece[],
  i: number,
  first: number,
  end: number,
  width: number,
  pool: ReusedArrays,
  key: string,
): TypedArray {
  const [head] = held;
  if (head.start <= first && head.start + head.rows >= end) {
    return head.columns[i].subarray((first - head.start) * width, (end - head.start) * width);
  }
  const type = arrayConstructorOf(dtypeOf(head.columns[i]));
  const out = pool.take(key, type, (end - first) * width);
  let at = 0;
  for (const piece of held) {
    const from = Math.max(first, piece.start);
    const to = Math.min(end, piece.start + piece.rows);
    if (to <= from) continue;
    const part = piece.columns[i].subarray((from - piece.start) * width, (to - piece.start) * width);
    out.set(part as never, at);
    at += part.length;
  }
  return out;
}

function shortFile(path: string, got: number, wanted: number): SluiceError {
  return new SluiceError(
    'FORMAT_INVALID',
    `${path}: the file ends at row ${got}, before row ${wanted} its metadata promised`,
    {
      path,
      hint: 'the file is truncated or its metadata is corrupt',
    },
  );
}
