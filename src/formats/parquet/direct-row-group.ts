/**
 * A row group of scalar numeric columns encoded by sluice itself (column-chunk.ts), pages
 * compressed by the native zstd library, as a small Parquet file: the unit the writer joins in
 * row order (assembler.ts), as it joins parquet-wasm's. Its footer is a template's: the file of
 * no rows parquet-wasm writes for the schema, so the schema, the key-value metadata (the Arrow
 * schema pyarrow restores), created_by and the column orders are parquet-wasm's, unchanged.
 *
 * Why: arrow-rs's zstd runs inside wasm at a fifth of native zstd's speed, and the Arrow IPC
 * and wasm copies around it cost as much again. A column of numbers is its bytes in a PLAIN
 * page, so nothing but the compression and a min/max pass is left to do.
 */
import { SluiceError } from '../../core/errors.ts';
import type { DType, TypedArray } from '../../core/dtype.ts';
import { isFloatDType } from '../../core/dtype.ts';
import type { ColumnSchema } from '../../core/schema.ts';
import { HOST_LITTLE_ENDIAN } from '../../io/decode.ts';
import type { NativeZstd } from '../../io/lazy.ts';
import { bytesPart, readFooter } from './assembler.ts';
import { CHUNK, ELEMENT, FILE, footerBytes, PARQUET_MAGIC, ROW_GROUP } from './footer-fields.ts';
import type { ChunkColumn, EncodedChunk, PageCodec } from './column-chunk.ts';
import { ChunkScratch, chunkBound, UNCOMPRESSED, writeColumnChunk } from './column-chunk.ts';
import type { ParquetWriteOptions, RowGroupSpec } from './row-group.ts';
import type { ThriftStruct } from './thrift-compact.ts';
import { encodeStruct, listOf, structOf, T } from './thrift-compact.ts';

/** zstd's level for pages sluice compresses: arrow-rs's default, so files stay the size they were. */
export const ZSTD_LEVEL = 1;

/** A page codec of the native zstd library at `level`. */
export function zstdPageCodec(zstd: NativeZstd, level: number): PageCodec {
  const context = new zstd.CCtx();
  return {
    codec: 6,
    bound: (length) => zstd.compressBound(length),
    compress: (target, source) => context.compress(target, source, level),
  };
}

/**
 * Whether sluice encodes these row groups itself: one value per row in every column (any
 * numeric dtype), and pages left uncompressed or zstd with the native library at hand.
 * Otherwise parquet-wasm encodes them, as before.
 */
export function encodesDirectly(
  columns: readonly ColumnSchema[],
  options: ParquetWriteOptions,
  zstd: NativeZstd | undefined,
): boolean {
  const codec = options.compression === 'none' || (options.compression === 'zstd' && zstd !== undefined);
  // PLAIN pages are little-endian: the arrays' own bytes only on a little-endian host.
  return HOST_LITTLE_ENDIAN && codec && columns.length > 0 && columns.every((column) => column.width === 1);
}

export class DirectRowGroupEncoder {
  private readonly scratch = new ChunkScratch();
  private out = new Uint8Array(0);

  private constructor(
    private readonly metadata: ThriftStruct,
    private readonly columns: readonly ChunkColumn[],
    private readonly codec: PageCodec,
    private readonly statistics: boolean,
    private readonly templateBytes: number,
  ) {}

  /** The encoder of `spec`'s columns, whose `template` is parquet-wasm's file of no rows. */
  static async create(spec: RowGroupSpec, zstd: NativeZstd | undefined): Promise<DirectRowGroupEncoder> {
    const { columns, options, template } = spec;
    if (!template) throw new SluiceError('USAGE', 'a direct Parquet encoder without its template');
    const { metadata } = await readFooter(bytesPart(template, 'the Parquet template'));
    const elements = (metadata.list(FILE.schema)?.items ?? []) as ThriftStruct[];
    if (elements.length !== columns.length + 1) {
      throw new SluiceError('USAGE', 'the Parquet template has not one leaf per column');
    }
    const split = options.floatEncoding === 'byte-stream-split';
    const chunkColumns = columns.map((column, i) => {
      const encoding = split && isFloatDType(column.dtype) ? 9 : 0;
      return chunkColumn(column.name, column.dtype, encoding, elements[i + 1]);
    });
    let codec = UNCOMPRESSED;
    if (options.compression === 'zstd') {
      if (!zstd) throw new SluiceError('USAGE', 'zstd pages without the native zstd library');
      codec = zstdPageCodec(zstd, ZSTD_LEVEL);
    } else if (options.compression !== 'none') {
      throw new SluiceError('USAGE', `sluice does not compress ${options.compression} pages itself`);
    }
    return new DirectRowGroupEncoder(metadata, chunkColumns, codec, options.statistics, template.length);
  }

  /** `rows` (at least one) of each column, one array per column, as a Parquet file. */
  encode(arrays: readonly TypedArray[], rows: number): Uint8Array {
    const bound = this.columns.reduce((sum, column) => sum + chunkBound(column, rows, this.codec), 4);
    let out = this.outBuffer(bound + this.templateBytes + (64 << 10));
    out.set(PARQUET_MAGIC, 0);
    let at = PARQUET_MAGIC.length;
    const chunks: EncodedChunk[] = [];
    const options = { codec: this.codec, statistics: this.statistics, scratch: this.scratch };
    for (const [i, column] of this.columns.entries()) {
      const chunk = writeColumnChunk(out, at, column, arrays[i], rows, options);
      chunks.push(chunk);
      at = chunk.end;
    }
    const tail: Uint8Array[] = [];
    let tailAt = at;
    for (const { chunk, offsetIndex } of chunks) {
      const bytes = encodeStruct(offsetIndex);
      chunk.fields.set(CHUNK.offsetIndexOffset, { type: T.I64, value: BigInt(tailAt) });
      chunk.fields.set(CHUNK.offsetIndexLength, { type: T.I32, value: bytes.length });
      tail.push(bytes);
      tailAt += bytes.length;
    }
    tail.push(...footerBytes(this.footer(chunks, rows)));
    const total = tail.reduce((sum, bytes) => sum + bytes.length, at);
    if (total > out.length) {
      const grown = new Uint8Array(total);
      grown.set(out.subarray(0, at));
      this.out = out = grown;
    }
    for (const bytes of tail) {
      out.set(bytes, at);
      at += bytes.length;
    }
    // A copy of the bytes used: the bound is twice what zstd makes of floats, and the buffer
    // is this encoder's to fill again (one allocation per row group churned 1.9 GB a run).
    return out.slice(0, at);
  }

  /** The encoder's output buffer, at least `length` bytes. */
  private outBuffer(length: number): Uint8Array {
    if (this.out.length < length) this.out = new Uint8Array(length);
    return this.out;
  }

  /** The template's FileMetaData with this one row group. */
  private footer(chunks: readonly EncodedChunk[], rows: number): ThriftStruct {
    const uncompressed = chunks.reduce((sum, chunk) => sum + chunk.uncompressedSize, 0);
    const compressed = chunks.reduce((sum, chunk) => sum + chunk.compressedSize, 0);
    const rowGroup = structOf([
      [
        ROW_GROUP.columns,
        T.LIST,
        listOf(
          T.STRUCT,
          chunks.map((chunk) => chunk.chunk),
        ),
      ],
      [ROW_GROUP.totalByteSize, T.I64, BigInt(uncompressed)],
      [ROW_GROUP.numRows, T.I64, BigInt(rows)],
      [ROW_GROUP.fileOffset, T.I64, BigInt(PARQUET_MAGIC.length)],
      [ROW_GROUP.totalCompressedSize, T.I64, BigInt(compressed)],
      [ROW_GROUP.ordinal, T.I16, 0],
    ]);
    this.metadata.set(FILE.numRows, T.I64, BigInt(rows));
    this.metadata.set(FILE.rowGroups, T.LIST, listOf(T.STRUCT, [rowGroup]));
    return this.metadata;
  }
}

/** parquet.thrift physical types a scalar numeric column may have. */
const PHYSICAL_TYPES = new Set([1, 2, 4, 5]);

function chunkColumn(name: string, dtype: DType, encoding: 0 | 9, element: ThriftStruct): ChunkColumn {
  const physicalType = element.int(ELEMENT.type);
  const path = element.get(ELEMENT.name);
  if (physicalType === undefined || !PHYSICAL_TYPES.has(physicalType) || !(path instanceof Uint8Array)) {
    throw new SluiceError('USAGE', `the Parquet template's column ${name} is not a number column`);
  }
  return { path, dtype, physicalType, encoding };
}
