/**
 * One column chunk of a scalar numeric column, encoded by sluice itself: PLAIN data pages of
 * the values' little-endian bytes (8- and 16-bit integers widened to INT32), each compressed
 * whole, with the page headers, the ColumnMetaData, the chunk's statistics and its offset
 * index laid out as arrow-rs lays them out (pages of 20,480 rows, encodings [PLAIN, RLE], no
 * dictionary, chunk-level statistics), so parquet-wasm's and sluice's row groups read alike.
 * A required column has no definition or repetition levels, so a page is its values alone.
 */
import type { DType, TypedArray } from '../../core/dtype.ts';
import { columnMinMax, physicalWidth } from './column-statistics.ts';
import type { ThriftStruct, ThriftValue } from './thrift-compact.ts';
import { encodeStruct, listOf, structOf, T } from './thrift-compact.ts';

/**
 * Rows a data page holds: arrow-rs closes a page after the 1,024-row write batch that reaches
 * its 20,000-row limit (the 1 MiB size limit comes later for every scalar type).
 */
export const PAGE_ROWS = 20480;

/** Compresses a page: `codec` is its parquet.thrift CompressionCodec. */
export interface PageCodec {
  readonly codec: number;
  /** Bytes `compress` may write for `length` input bytes. */
  bound(length: number): number;
  /** Compresses `source` into `target` (at least `bound` long); returns the bytes written. */
  compress(target: Uint8Array, source: Uint8Array): number;
}

export const UNCOMPRESSED: PageCodec = {
  codec: 0,
  bound: (length) => length,
  compress: (target, source) => {
    target.set(source);
    return source.length;
  },
};

/** A column as the chunk encoder needs it. */
export interface ChunkColumn {
  /** The column's path in the schema (a top-level column's name), as the footer holds it. */
  readonly path: Uint8Array;
  readonly dtype: DType;
  /** parquet.thrift Type of the column (INT32 1, INT64 2, FLOAT 4, DOUBLE 5). */
  readonly physicalType: number;
  /** parquet.thrift Encoding of its pages: PLAIN 0, or BYTE_STREAM_SPLIT 9 (floats). */
  readonly encoding: 0 | 9;
}

/** The chunk's place in the file it is written into, and what its footer entry needs. */
export interface EncodedChunk {
  /** The ColumnChunk; its offset index offset is set once the index is placed. */
  readonly chunk: ThriftStruct;
  /** The offset index's page locations (file offsets). */
  readonly offsetIndex: ThriftStruct;
  readonly end: number;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
}

/** Upper bound of the bytes a chunk of `rows` takes, page headers included. */
export function chunkBound(column: ChunkColumn, rows: number, codec: PageCodec): number {
  const pages = Math.max(1, Math.ceil(rows / PAGE_ROWS));
  return pages * (PAGE_HEADER_BOUND + codec.bound(PAGE_ROWS * physicalWidth(column.dtype)));
}

/** Thrift compact bytes of a DataPage header: five small structs' worth at most. */
const PAGE_HEADER_BOUND = 48;

/** Reused buffers of one encoding thread. */
export class ChunkScratch {
  private widened = new Int32Array(0);
  private split = new Uint8Array(0);
  private compressed = new Uint8Array(0);

  /** The plain bytes of values [from, to): a view, or for 8- and 16-bit integers their INT32s. */
  plain(values: TypedArray, from: number, to: number): Uint8Array {
    const slice = values.subarray(from, to);
    if (slice.BYTES_PER_ELEMENT >= 4) return new Uint8Array(slice.buffer, slice.byteOffset, slice.byteLength);
    if (this.widened.length < slice.length) this.widened = new Int32Array(PAGE_ROWS);
    const wide = this.widened.subarray(0, slice.length);
    wide.set(slice as Int8Array);
    return new Uint8Array(wide.buffer, 0, wide.byteLength);
  }

  /**
   * BYTE_STREAM_SPLIT bytes of values [from, to) (float32 or float64): byte k of every value,
   * then byte k + 1 of every value, and so on.
   */
  streams(values: Float32Array | Float64Array, from: number, to: number): Uint8Array {
    const width = values.BYTES_PER_ELEMENT;
    const count = to - from;
    if (this.split.length < count * width) this.split = new Uint8Array(PAGE_ROWS * 8);
    const source = new Uint8Array(values.buffer, values.byteOffset + from * width, count * width);
    const target = this.split.subarray(0, count * width);
    if (count % 4 === 0) splitWords(source, target, count, width / 4);
    else splitBytes(source, target, count, width);
    return target;
  }

  /** A buffer of at least `length` bytes for a compressed page. */
  target(length: number): Uint8Array {
    if (this.compressed.length < length) this.compressed = new Uint8Array(length);
    return this.compressed;
  }
}

/**
 * Writes the chunk of `rows` (at least one) values into `out` at `at` (room for `chunkBound`
 * bytes); `at` is also the chunk's file offset.
 */
export function writeColumnChunk(
  out: Uint8Array,
  at: number,
  column: ChunkColumn,
  values: TypedArray,
  rows: number,
  options: { readonly codec: PageCodec; readonly statistics: boolean; readonly scratch: ChunkScratch },
): EncodedChunk {
  const { codec, scratch } = options;
  const start = at;
  let uncompressedSize = 0;
  const locations: ThriftValue[] = [];
  for (let from = 0; from < rows; from += PAGE_ROWS) {
    const to = Math.min(rows, from + PAGE_ROWS);
    const plain =
      column.encoding === 9
        ? scratch.streams(values as Float32Array | Float64Array, from, to)
        : scratch.plain(values, from, to);
    const target = codec.codec === 0 ? plain : scratch.target(codec.bound(plain.length));
    const length = codec.codec === 0 ? plain.length : codec.compress(target, plain);
    const header = encodeStruct(pageHeader(to - from, plain.length, length, column.encoding));
    locations.push(
      structOf([
        [1, T.I64, BigInt(at)],
        [2, T.I32, header.length + length],
        [3, T.I64, BigInt(from)],
      ]),
    );
    out.set(header, at);
    out.set(target.subarray(0, length), at + header.length);
    at += header.length + length;
    uncompressedSize += header.length + plain.length;
  }
  const compressedSize = at - start;
  const pages = locations.length;
  const fields: [number, number, ThriftValue][] = [
    [1, T.I32, column.physicalType],
    // arrow-rs lists the encodings in enum order, RLE (of the levels) among them.
    [2, T.LIST, listOf(T.I32, column.encoding === 0 ? [0, 3] : [3, 9])],
    [3, T.LIST, listOf(T.BINARY, [column.path])],
    [4, T.I32, codec.codec],
    [5, T.I64, BigInt(rows)],
    [6, T.I64, BigInt(uncompressedSize)],
    [7, T.I64, BigInt(compressedSize)],
    [9, T.I64, BigInt(start)],
  ];
  if (options.statistics) fields.push([12, T.STRUCT, statistics(column.dtype, values.subarray(0, rows))]);
  fields.push([
    13,
    T.LIST,
    listOf(T.STRUCT, [
      structOf([
        [1, T.I32, 0],
        [2, T.I32, column.encoding],
        [3, T.I32, pages],
      ]),
    ]),
  ]);
  const chunk = structOf([
    [2, T.I64, 0n],
    [3, T.STRUCT, structOf(fields)],
  ]);
  return {
    chunk,
    offsetIndex: structOf([[1, T.LIST, listOf(T.STRUCT, locations)]]),
    end: at,
    uncompressedSize,
    compressedSize,
  };
}

/** Byte k of each of `count` values of `width` bytes, for every k, one byte at a time. */
function splitBytes(source: Uint8Array, target: Uint8Array, count: number, width: number): void {
  for (let k = 0; k < width; k++) {
    const base = k * count;
    for (let i = 0, at = k; i < count; i++, at += width) target[base + i] = source[at];
  }
}

/**
 * The same, four values at a time through 32-bit words (a value is `words` words, little-
 * endian): each stream gets one word of four bytes per step, 3× faster than byte by byte.
 * `count` is a multiple of 4 and both buffers are 4-byte aligned.
 */
function splitWords(source: Uint8Array, target: Uint8Array, count: number, words: number): void {
  const from = new Uint32Array(source.buffer, source.byteOffset, source.length / 4);
  const to = new Uint32Array(target.buffer, target.byteOffset, target.length / 4);
  const quarter = count / 4;
  for (let w = 0; w < words; w++) {
    const stream = 4 * w * quarter;
    for (let q = 0, at = w; q < quarter; q++, at += 4 * words) {
      const a = from[at];
      const b = from[at + words];
      const c = from[at + 2 * words];
      const d = from[at + 3 * words];
      to[stream + q] = (a & 0xff) | ((b & 0xff) << 8) | ((c & 0xff) << 16) | ((d & 0xff) << 24);
      to[stream + quarter + q] =
        ((a >>> 8) & 0xff) | (b & 0xff00) | ((c & 0xff00) << 8) | ((d & 0xff00) << 16);
      to[stream + 2 * quarter + q] =
        ((a >>> 16) & 0xff) | ((b >>> 8) & 0xff00) | (c & 0xff0000) | ((d & 0xff0000) << 8);
      to[stream + 3 * quarter + q] =
        (a >>> 24) | ((b >>> 16) & 0xff00) | ((c >>> 8) & 0xff0000) | (d & 0xff000000);
    }
  }
}

function pageHeader(rows: number, uncompressed: number, compressed: number, encoding: number): ThriftStruct {
  const dataPage = structOf([
    [1, T.I32, rows],
    [2, T.I32, encoding],
    [3, T.I32, 3],
    [4, T.I32, 3],
  ]);
  return structOf([
    [1, T.I32, 0],
    [2, T.I32, uncompressed],
    [3, T.I32, compressed],
    [5, T.STRUCT, dataPage],
  ]);
}

/**
 * arrow-rs's Statistics of a chunk without nulls: the deprecated min/max too where the type's
 * sort order is signed, then null_count, min_value/max_value and their exactness (not exact,
 * and no values, for a chunk of NaN only).
 */
function statistics(dtype: DType, values: TypedArray): ThriftStruct {
  const minMax = columnMinMax(dtype, values);
  const signed = !dtype.startsWith('uint');
  const fields: [number, number, ThriftValue][] = [];
  if (minMax && signed) fields.push([1, T.BINARY, minMax.max], [2, T.BINARY, minMax.min]);
  fields.push([3, T.I64, 0n]);
  if (minMax) {
    fields.push([5, T.BINARY, minMax.max], [6, T.BINARY, minMax.min], [7, T.TRUE, true], [8, T.TRUE, true]);
  } else {
    fields.push([7, T.FALSE, false], [8, T.FALSE, false]);
  }
  return structOf(fields);
}
