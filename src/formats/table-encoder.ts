/**
 * What a format's table writer implements (DESIGN.md §3, §6): it takes each batch's new rows
 * of the selected columns as views, writes them, and on finish commits its output(s) by
 * rename; abort removes every temporary file. Sinks drive an encoder through
 * adapters/writer-sink.ts; a finished result table goes through write-table.ts.
 */
import type { TypedArray } from '../core/dtype.ts';
import type { ColumnSchema } from '../core/schema.ts';

/** One column's new rows in a batch: `rows * width` values, a view onto the batch. */
export interface ColumnChunk {
  readonly column: ColumnSchema;
  readonly data: TypedArray;
}

/** What a format implements; the WriterSink owns the calling discipline. */
export interface TableEncoder {
  /** Writes `rows` rows; the views are valid only until the returned promise settles. */
  write(chunks: readonly ColumnChunk[], rows: number): void | Promise<void>;
  /** Completes the output(s): trailing metadata, then commit (rename). */
  finish(): Promise<void>;
  /** Removes every temporary file. Must be idempotent and never throw for a missing file. */
  abort(): Promise<void>;
}

/** The bytes of a typed array, as a view (no copy); sluice hosts are little-endian. */
export function toBytes(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Packs columns' rows into records (row r: column 0's values, column 1's, ...), as a structured
 * array or a row-major 2-D array stores them. Its buffer is reused between calls (grown, never
 * per row), so the result is valid until the next `pack`.
 */
export class RecordPacker {
  private buffer = new Uint8Array(0);

  pack(chunks: readonly ColumnChunk[], rows: number): Uint8Array {
    let recordSize = 0;
    for (const { data } of chunks) recordSize += data.byteLength / Math.max(rows, 1);
    const total = recordSize * rows;
    if (this.buffer.length < total) this.buffer = new Uint8Array(total);
    const out = this.buffer.subarray(0, total);
    let offset = 0;
    for (const { data } of chunks) {
      const bytes = toBytes(data);
      const fieldSize = bytes.length / rows;
      // A byte loop: no subarray per row (allocating per row is what makes writers slow).
      for (let r = 0, src = 0, dst = offset; r < rows; r++, dst += recordSize) {
        for (let b = 0; b < fieldSize; b++) out[dst + b] = bytes[src++];
      }
      offset += fieldSize;
    }
    return out;
  }
}
