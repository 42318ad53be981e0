/**
 * Packs a batch's columns into the records of a pandas table (`/<key>/table`): the int64 row
 * number (pandas' index), then each field, little-endian, no padding, bit for bit (integer
 * moves, so NaN payloads survive). The row number is written as two 32-bit words, without a
 * BigInt per row.
 *
 * When every field is 4 or 8 bytes (float32/64, int32/64, …: every field offset a multiple of
 * 4), records are filled as 32-bit words, four words per pass over the rows: measured on
 * 27 M records of 17 float32/int32 fields, 0.7 s of CPU against 1.4 s for RecordPacker (one
 * pass per field through a DataView) with a BigInt64Array index. Other tables (a 1- or 2-byte
 * field makes records unaligned) go through RecordPacker.
 */
import type { TypedArray } from '../../core/dtype.ts';
import { itemSizeOf } from '../../core/dtype.ts';
import type { ColumnChunk } from '../table-encoder.ts';
import { RecordPacker } from '../table-encoder.ts';
import type { ColumnSchema } from '../../core/schema.ts';

const TWO_POW_32 = 2 ** 32;

/** One 32-bit word of each record: where it comes from in a batch's column. */
interface WordSource {
  readonly column: number;
  /** The word of row r is word `first + r * stride` of the column's data. */
  readonly first: number;
  readonly stride: number;
  /** Its word offset in the record. */
  readonly at: number;
}

export class PandasRecordPacker {
  readonly rowBytes: number;
  /** Every field 4 or 8 bytes: the 32-bit word path. */
  private readonly words: readonly WordSource[] | undefined;
  private buffer = new ArrayBuffer(0);
  private readonly fallback = new RecordPacker();
  private index = new BigInt64Array(0);

  /** `columns`: the table's columns (a width-k column is k fields), the index not included. */
  constructor(columns: readonly ColumnSchema[]) {
    this.rowBytes = columns.reduce((n, c) => n + itemSizeOf(c.dtype) * c.width, 8);
    const aligned = columns.every((c) => itemSizeOf(c.dtype) % 4 === 0);
    this.words = aligned ? wordSources(columns) : undefined;
  }

  /**
   * Rows [from, from + rows) of the batch's `chunks` (the fields' columns in order, as the
   * sink selects them), numbered from `firstRow`; valid until the next call.
   */
  pack(chunks: readonly ColumnChunk[], from: number, rows: number, firstRow: number): Uint8Array {
    if (!this.words) return this.packAny(chunks, from, rows, firstRow);
    const bytes = rows * this.rowBytes;
    if (this.buffer.byteLength < bytes) this.buffer = new ArrayBuffer(bytes);
    const out = new Int32Array(this.buffer, 0, bytes / 4);
    const recordWords = this.rowBytes / 4;
    writeRowNumbers(out, recordWords, rows, firstRow);
    const views = chunks.map((c) => words32(c.data));
    const w = this.words;
    let i = 0;
    for (; i + 4 <= w.length; i += 4) {
      packFour(out, recordWords, rows, views, w[i], w[i + 1], w[i + 2], w[i + 3], from);
    }
    for (; i < w.length; i++) packOne(out, recordWords, rows, views, w[i], from);
    return new Uint8Array(this.buffer, 0, bytes);
  }

  private packAny(chunks: readonly ColumnChunk[], from: number, rows: number, firstRow: number): Uint8Array {
    if (this.index.length < rows) this.index = new BigInt64Array(rows);
    writeRowNumbers(new Int32Array(this.index.buffer, 0, 2 * rows), 2, rows, firstRow);
    const index: ColumnChunk = {
      column: { name: 'index', dtype: 'int64', width: 1 },
      data: this.index.subarray(0, rows),
    };
    const sliced = chunks.map(({ column, data }) => ({
      column,
      data: data.subarray(from * column.width, (from + rows) * column.width),
    }));
    return this.fallback.pack([index, ...sliced], rows);
  }
}

/** The int64 row numbers firstRow, firstRow + 1, … as low and high words, every `recordWords` words. */
function writeRowNumbers(out: Int32Array, recordWords: number, rows: number, firstRow: number): void {
  if (firstRow + rows <= 0x7fffffff) {
    // Small integers all (the usual case): no double arithmetic per row.
    for (let r = 0, d = 0, n = firstRow; r < rows; r++, d += recordWords, n++) {
      out[d] = n;
      out[d + 1] = 0;
    }
    return;
  }
  let low = firstRow % TWO_POW_32;
  let high = Math.floor(firstRow / TWO_POW_32);
  for (let r = 0, d = 0; r < rows; r++, d += recordWords) {
    out[d] = low | 0;
    out[d + 1] = high;
    if (++low === TWO_POW_32) {
      low = 0;
      high++;
    }
  }
}

/** Each column's words, in record order: a width-k column of 8-byte values gives 2k words a row. */
function wordSources(columns: readonly ColumnSchema[]): WordSource[] {
  const sources: WordSource[] = [];
  let at = 2;
  columns.forEach((c, column) => {
    const words = (itemSizeOf(c.dtype) / 4) * c.width;
    for (let k = 0; k < words; k++) sources.push({ column, first: k, stride: words, at: at++ });
  });
  return sources;
}

/** The data's 32-bit words (its byte offset is a multiple of 4 for 4- and 8-byte dtypes). */
function words32(data: TypedArray): Int32Array {
  return new Int32Array(data.buffer, data.byteOffset, data.byteLength >> 2);
}

/** Four consecutive words of every record (`a.at` to `a.at + 3`) in one pass: a quarter of the passes. */
function packFour(
  out: Int32Array,
  recordWords: number,
  rows: number,
  views: readonly Int32Array[],
  a: WordSource,
  b: WordSource,
  c: WordSource,
  e: WordSource,
  from: number,
): void {
  const [va, vb, vc, ve] = [views[a.column], views[b.column], views[c.column], views[e.column]];
  const [sa, sb, sc, se] = [a.stride, b.stride, c.stride, e.stride];
  let ia = a.first + from * sa;
  let ib = b.first + from * sb;
  let ic = c.first + from * sc;
  let ie = e.first + from * se;
  if (sa === 1 && sb === 1 && sc === 1 && se === 1) {
    // Four scalar 4-byte columns (each word `first` 0), the common case: one index for all.
    for (let r = from, end = from + rows, d = a.at; r < end; r++, d += recordWords) {
      out[d] = va[r];
      out[d + 1] = vb[r];
      out[d + 2] = vc[r];
      out[d + 3] = ve[r];
    }
    return;
  }
  for (let r = 0, d = a.at; r < rows; r++, d += recordWords) {
    out[d] = va[ia];
    out[d + 1] = vb[ib];
    out[d + 2] = vc[ic];
    out[d + 3] = ve[ie];
    ia += sa;
    ib += sb;
    ic += sc;
    ie += se;
  }
}

function packOne(
  out: Int32Array,
  recordWords: number,
  rows: number,
  views: readonly Int32Array[],
  s: WordSource,
  from: number,
): void {
  const v = views[s.column];
  for (let r = 0, d = s.at, i = s.first + from * s.stride; r < rows; r++, d += recordWords, i += s.stride) {
    out[d] = v[i];
  }
}
