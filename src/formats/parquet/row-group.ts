/**
 * One row group encoded as a whole, small Parquet file (magic, the column chunks, the footer)
 * by parquet-wasm (arrow-rs): the unit the writer encodes on worker threads and joins in row
 * order (assembler.ts). The same code runs on the main thread for a 1-thread run, so a file
 * is byte for byte the same at every thread count.
 */
import type { Schema as ArrowSchema } from 'apache-arrow';
import type { WriterProperties } from 'parquet-wasm/node';
import { isFloatDType } from '../../core/dtype.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import type { ArrowModule, ParquetWasmModule } from '../../io/lazy.ts';
import { loadArrow, loadParquetWasm } from '../../io/lazy.ts';
import { concatBytes } from '../../io/concat-bytes.ts';
import { createIpcChunks, schemaMetadata, toArrowSchema, toRecordBatch } from '../arrow/batch.ts';
import type { ColumnChunk } from '../table-encoder.ts';

export interface ParquetWriteOptions {
  /** Rows per row group. */
  readonly rowGroupRows: number;
  /** Codec of every column chunk. */
  readonly compression: 'zstd' | 'snappy' | 'gzip' | 'none';
  /** Write min/max/null-count statistics per column chunk. */
  readonly statistics: boolean;
  /**
   * Encoding of the scalar float columns: plain, or byte-stream-split (each value's bytes
   * grouped by position before compression; width-k columns stay plain).
   */
  readonly floatEncoding?: 'plain' | 'byte-stream-split';
  /**
   * Threads encoding row groups, the main thread included (threads − 1 workers); 1: the main
   * thread alone. Default: the cores (1 on a worker thread). The file is the same whatever
   * the count.
   */
  readonly threads?: number;
}

/** What a row group encoder needs to know (structured-cloned to its worker). */
export interface RowGroupSpec {
  readonly columns: readonly ColumnSchema[];
  readonly schema: Schema;
  readonly options: ParquetWriteOptions;
  /**
   * parquet-wasm's file of the schema and no rows, when sluice encodes the row groups itself
   * (direct-row-group.ts): every row group's footer is this one's.
   */
  readonly template?: Uint8Array;
}

/** parquet-wasm's name of each codec (its Compression enum is read once the library is loaded). */
const COMPRESSIONS = {
  zstd: 'ZSTD',
  snappy: 'SNAPPY',
  gzip: 'GZIP',
  none: 'UNCOMPRESSED',
} as const;

/** The writer properties of the options; `writeParquet` takes (frees) them. */
export function writerProperties(
  wasm: ParquetWasmModule,
  options: ParquetWriteOptions,
  schema: Schema,
  columns: readonly ColumnSchema[] = schema.columns,
): WriterProperties {
  let builder = new wasm.WriterPropertiesBuilder()
    .setCompression(wasm.Compression[COMPRESSIONS[options.compression]])
    .setMaxRowGroupSize(options.rowGroupRows)
    .setStatisticsEnabled(options.statistics ? wasm.EnabledStatistics.Chunk : wasm.EnabledStatistics.None)
    // Measured: dictionary encoding of float samples costs 2× the time and never pays off.
    .setDictionaryEnabled(false)
    .setKeyValueMetadata(schemaMetadata(schema))
    .setCreatedBy('sluice');
  if (options.floatEncoding === 'byte-stream-split') {
    // A top-level column's path is its name; a list's leaf path is not expressible here.
    for (const column of columns) {
      if (column.width === 1 && isFloatDType(column.dtype))
        builder = builder.setColumnEncoding(column.name, wasm.Encoding.BYTE_STREAM_SPLIT);
    }
  }
  return builder.build();
}

/**
 * A row group as Arrow IPC bytes (what parquet-wasm reads) made into a Parquet file of that
 * one row group. The table and the properties live in wasm memory, which is not
 * garbage-collected: `writeParquet` frees both, and a failure before it frees the table here.
 */
export function encodeIpcRowGroup(wasm: ParquetWasmModule, ipc: Uint8Array, spec: RowGroupSpec): Uint8Array {
  // fromIPCStream copies the bytes into wasm memory.
  const table = wasm.Table.fromIPCStream(ipc);
  let properties: WriterProperties;
  try {
    properties = writerProperties(wasm, spec.options, spec.schema, spec.columns);
  } catch (error) {
    table.free();
    throw error;
  }
  return wasm.writeParquet(table, properties);
}

/**
 * The main thread's side: a row group's columns as Arrow IPC bytes (apache-arrow, so the
 * encoding threads need only parquet-wasm), and, when it encodes a row group itself, the
 * Parquet file of it.
 */
export class RowGroupEncoder {
  private readonly arrowSchema: ArrowSchema;
  private wasm?: ParquetWasmModule;

  constructor(
    private readonly arrow: ArrowModule,
    private readonly spec: RowGroupSpec,
  ) {
    this.arrowSchema = toArrowSchema(arrow, spec.columns, spec.schema);
  }

  static async load(spec: RowGroupSpec): Promise<RowGroupEncoder> {
    return new RowGroupEncoder(await loadArrow(), spec);
  }

  /** The rows as one IPC stream, in `scratch` when it is large enough (else a new buffer). */
  ipc(chunks: readonly ColumnChunk[], rows: number, scratch?: ArrayBuffer): Uint8Array {
    return toIpcStream(this.arrow, this.arrowSchema, chunks, rows, scratch);
  }

  /** A row group's IPC bytes as a Parquet file (of that one row group), here. */
  async encode(ipc: Uint8Array): Promise<Uint8Array> {
    this.wasm ??= await loadParquetWasm();
    return encodeIpcRowGroup(this.wasm, ipc, this.spec);
  }
}

/**
 * One Arrow IPC stream (schema + one batch) of the chunks, joined into `scratch` when it is
 * large enough (the result is then a view of it), else into a new buffer.
 */
export function toIpcStream(
  arrow: ArrowModule,
  schema: ArrowSchema,
  chunks: readonly ColumnChunk[],
  rows: number,
  scratch?: ArrayBuffer,
): Uint8Array {
  const sink = createIpcChunks(arrow);
  const writer = new arrow.RecordBatchStreamWriter();
  writer.reset(sink, schema);
  writer.write(toRecordBatch(arrow, schema, chunks, rows));
  writer.finish();
  const parts = sink.take();
  const total = parts.reduce((sum, c) => sum + c.byteLength, 0);
  if (scratch === undefined || scratch.byteLength < total) return concatBytes(parts);
  const out = new Uint8Array(scratch, 0, total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
