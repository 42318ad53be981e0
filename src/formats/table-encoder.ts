/**
 * What a format's table writer implements (docs/design.md §3, §6): it takes each batch's new rows
 * of the selected columns as views, writes them, and on finish commits its output(s) by
 * rename; abort removes every temporary file. Each format opens its encoder with
 * `open<Format>Writer` (formats/<format>/writer.ts); sinks drive it through
 * adapters/writer-sink.ts, a finished result table goes through write-table.ts.
 */
import type { TypedArray } from '../core/dtype.ts';
import { itemSizeOf } from '../core/dtype.ts';
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

/** How a writer opens its output(s), whatever the format. */
export interface WriteTarget {
  /** Replace existing outputs instead of refusing them (OUTPUT_EXISTS). */
  readonly overwrite: boolean;
  /** The rows that will be written in all, when known before the first write. */
  readonly rows?: number;
}

/** The bytes of a typed array, as a view (no copy); sluice hosts are little-endian. */
export function toBytes(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Packs columns' rows into records (row r: column 0's values, column 1's, ...), as a structured
 * array, a row-major 2-D array or a compound dataset stores them. Its buffer is reused between
 * calls (grown, never per row), so the result is valid until the next `pack`.
 */
export class RecordPacker {
  private buffer = new ArrayBuffer(0);

  pack(chunks: readonly ColumnChunk[], rows: number): Uint8Array {
    let recordSize = 0;
    for (const { column } of chunks) recordSize += itemSizeOf(column.dtype) * column.width;
    if (this.buffer.byteLength < recordSize * rows) this.buffer = new ArrayBuffer(recordSize * rows);
    return packRecords(chunks, rows, new DataView(this.buffer, 0, recordSize * rows));
  }
}

/**
 * Packs columns' rows into records (row r: each column's values in turn, no padding), bit for
 * bit (integer moves, so NaN payloads survive), into `out`. Element by element through a
 * DataView: twice as fast as a byte loop, and records are packed so fields are unaligned.
 */
function packRecords(chunks: readonly ColumnChunk[], rows: number, out: DataView): Uint8Array {
  let recordSize = 0;
  for (const { column } of chunks) recordSize += itemSizeOf(column.dtype) * column.width;
  let offset = 0;
  for (const { column, data } of chunks) {
    const size = itemSizeOf(column.dtype);
    const k = column.width;
    const { buffer, byteOffset } = data;
    const n = rows * k;
    for (let j = 0; j < k; j++, offset += size) {
      if (size === 8) {
        const src = new Uint32Array(buffer, byteOffset, 2 * n);
        for (let e = j, d = offset; e < n; e += k, d += recordSize) {
          out.setUint32(d, src[2 * e], true);
          out.setUint32(d + 4, src[2 * e + 1], true);
        }
      } else if (size === 4) {
        const src = new Uint32Array(buffer, byteOffset, n);
        for (let e = j, d = offset; e < n; e += k, d += recordSize) out.setUint32(d, src[e], true);
      } else if (size === 2) {
        const src = new Uint16Array(buffer, byteOffset, n);
        for (let e = j, d = offset; e < n; e += k, d += recordSize) out.setUint16(d, src[e], true);
      } else {
        const src = new Uint8Array(buffer, byteOffset, n);
        for (let e = j, d = offset; e < n; e += k, d += recordSize) out.setUint8(d, src[e]);
      }
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, recordSize * rows);
}
