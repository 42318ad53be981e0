/**
 * Apache Parquet, the writer side (DuckDB, Polars, pandas/pyarrow open it), through
 * parquet-wasm (arrow-rs), row groups streamed as rows arrive. Types map one to one (float32 →
 * FLOAT, int8 → INT(8, signed), uint64 → INT(64, unsigned), ...); width-k columns are
 * fixed-size lists; sampleRate, source, origin and units go to the key-value metadata (and the
 * Arrow schema pyarrow restores).
 */
import type { Schema as ArrowSchema } from 'apache-arrow';
import type { RecordBatch as WasmRecordBatch, WriterProperties } from 'parquet-wasm/node';
import { allocArray } from '../../core/dtype.ts';
import { Handoff } from '../../core/handoff.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { createAtomicFile } from '../../io/atomic-file.ts';
import type { ArrowModule, ParquetWasmModule } from '../../io/lazy.ts';
import { loadArrow, loadParquetWasm } from '../../io/lazy.ts';
import {
  concatBytes,
  createIpcChunks,
  schemaMetadata,
  toArrowSchema,
  toRecordBatch,
} from '../arrow/batch.ts';
import type { ColumnChunk, TableEncoder, WriteTarget } from '../table-encoder.ts';

export interface ParquetWriteOptions {
  /** Rows per row group; the writer holds about one row group in memory. */
  readonly rowGroupRows: number;
  /** Codec of every column chunk. */
  readonly compression: 'zstd' | 'snappy' | 'gzip' | 'none';
  /** Write min/max/null-count statistics per column chunk. */
  readonly statistics: boolean;
}

export const PARQUET_WRITE_DEFAULTS: ParquetWriteOptions = {
  rowGroupRows: 1048576,
  compression: 'zstd',
  statistics: true,
};

/** parquet-wasm's name of each codec (its Compression enum is read once the library is loaded). */
const COMPRESSIONS = {
  zstd: 'ZSTD',
  snappy: 'SNAPPY',
  gzip: 'GZIP',
  none: 'UNCOMPRESSED',
} as const;

/** Opens `path` (a temporary file until `finish`) for rows of `columns` of `schema`. */
export async function openParquetWriter(
  path: string,
  columns: readonly ColumnSchema[],
  schema: Schema,
  options: ParquetWriteOptions,
  target: WriteTarget,
): Promise<TableEncoder> {
  const libs = { arrow: await loadArrow(), wasm: await loadParquetWasm() };
  const file = await createAtomicFile(path, { overwrite: target.overwrite });
  try {
    return new ParquetEncoder(libs, file, columns, schema, options);
  } catch (error) {
    await file.abort();
    throw error;
  }
}

/** The writer properties of the options; the caller frees them (wasm memory). */
export function writerProperties(
  wasm: ParquetWasmModule,
  options: ParquetWriteOptions,
  schema: Schema,
): WriterProperties {
  return (
    new wasm.WriterPropertiesBuilder()
      .setCompression(wasm.Compression[COMPRESSIONS[options.compression]])
      .setMaxRowGroupSize(options.rowGroupRows)
      .setStatisticsEnabled(options.statistics ? wasm.EnabledStatistics.Chunk : wasm.EnabledStatistics.None)
      // Measured: dictionary encoding of float samples costs 2× the time and never pays off.
      .setDictionaryEnabled(false)
      .setKeyValueMetadata(schemaMetadata(schema))
      .setCreatedBy('sluice')
      .build()
  );
}

/** Rows per hand-over to parquet-wasm (see ParquetEncoder.send). */
const SEND_ROWS = 131072;

/**
 * Batches go to parquet-wasm's streaming writer one at a time: each becomes Arrow IPC, is
 * copied into wasm memory, and `write` returns only once the writer has taken it, while a
 * drain loop writes the Parquet bytes it emits to the temporary file. So at most one input
 * batch and the row group being built are in memory.
 */
export class ParquetEncoder implements TableEncoder {
  private readonly arrow: ArrowModule;
  private readonly wasm: ParquetWasmModule;
  private readonly schema: ArrowSchema;
  private readonly input = new Handoff<WasmRecordBatch>();
  private readonly drained: Promise<void>;
  private wrote = false;
  /** Reused for every slice's IPC bytes (see toIpcStream). */
  private scratch: ArrayBuffer | undefined;

  constructor(
    libs: { arrow: ArrowModule; wasm: ParquetWasmModule },
    private readonly file: AtomicFile,
    private readonly columns: readonly ColumnSchema[],
    schema: Schema,
    options: ParquetWriteOptions,
  ) {
    ({ arrow: this.arrow, wasm: this.wasm } = libs);
    this.schema = toArrowSchema(this.arrow, columns, schema);
    this.drained = this.drain(writerProperties(this.wasm, options, schema));
    // Observed through write/finish; never an unhandled rejection in between.
    this.drained.catch(() => undefined);
  }

  async write(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    this.wrote = true;
    await this.send(chunks, rows);
  }

  async finish(): Promise<void> {
    // An empty input still makes a valid file with the schema: send one empty batch.
    if (!this.wrote) await this.send(emptyChunks(this.columns), 0);
    this.input.close();
    await this.drained;
    await this.file.commit();
  }

  async abort(): Promise<void> {
    this.input.fail(new Error('aborted'));
    await this.drained.catch(() => undefined);
    await this.file.abort();
  }

  /**
   * Hands the rows over in slices of at most SEND_ROWS: the writer appends them to the open
   * row group (its size stays rowGroupRows), while the IPC copy in JS and the Table in wasm
   * memory stay a few MB whatever the batch size. Whole batches made wasm memory, which never
   * shrinks, and JS buffers grow to ~470 MB peak RSS for 10M rows (npm run bench).
   */
  private async send(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    if (rows <= SEND_ROWS) return this.sendSlice(chunks, rows);
    for (let start = 0; start < rows; start += SEND_ROWS) {
      const end = Math.min(start + SEND_ROWS, rows);
      const slice = chunks.map(({ column, data }) => ({
        column,
        data: data.subarray(start * column.width, end * column.width),
      }));
      await this.sendSlice(slice, end - start);
    }
  }

  private async sendSlice(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    const ipc = toIpcStream(this.arrow, this.schema, chunks, rows, this.scratch);
    this.scratch = ipc.buffer as ArrayBuffer;
    // fromIPCStream copies the bytes into wasm memory, so the scratch buffer is free again.
    const table = this.wasm.Table.fromIPCStream(ipc);
    const batches = table.recordBatches();
    let taken = 0;
    try {
      for (const batch of batches) {
        await this.input.send(batch, this.drained);
        taken++;
      }
    } finally {
      // wasm memory is not garbage-collected: what the writer did not take (it failed, or the
      // run was aborted) is freed here, or a many-file run would keep it to the end.
      for (const batch of batches.slice(taken)) batch.free();
      table.free();
    }
  }

  private async drain(properties: WriterProperties): Promise<void> {
    const input = new ReadableStream<WasmRecordBatch>(
      {
        pull: async (controller) => {
          const next = await this.input.receive();
          if (next === undefined) controller.close();
          else controller.enqueue(next);
        },
      },
      { highWaterMark: 0 },
    );
    const output = (await this.wasm.transformParquetStream(input, properties)) as ReadableStream<Uint8Array>;
    for await (const bytes of output as unknown as AsyncIterable<Uint8Array>) await this.file.write(bytes);
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

function emptyChunks(columns: readonly ColumnSchema[]): ColumnChunk[] {
  return columns.map((column) => ({ column, data: allocArray(column.dtype, 0) }));
}
