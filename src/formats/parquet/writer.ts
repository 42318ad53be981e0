/**
 * Apache Parquet, the writer side (DuckDB, Polars, pandas/pyarrow open it), through
 * parquet-wasm (arrow-rs). Types map one to one (float32 → FLOAT, int8 → INT(8, signed),
 * uint64 → INT(64, unsigned), ...); width-k columns are fixed-size lists; sampleRate, source,
 * origin and units go to the key-value metadata (and the Arrow schema pyarrow restores).
 *
 * Rows are gathered into row groups of rowGroupRows; each full row group is encoded (zstd is
 * most of a run's CPU time) on one of `threads − 1` worker threads while the main thread goes
 * on decoding and transforming, or by the main thread itself when every worker is busy, and
 * the encoded row groups are appended in row order (assembler.ts). A row group is encoded the
 * same wherever it is, so the file is byte for byte the same at every thread count.
 */
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { allocArray, itemSizeOf } from '../../core/dtype.ts';
import type { TypedArray } from '../../core/dtype.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { createAtomicFile } from '../../io/atomic-file.ts';
import { EncoderPool } from '../encoder-pool.ts';
import type { ColumnChunk, TableEncoder, WriteTarget } from '../table-encoder.ts';
import { bytesPart, ParquetAssembler } from './assembler.ts';
import type { RowGroupResult, RowGroupTask } from './encode-worker.ts';
import type { ParquetWriteOptions, RowGroupSpec } from './row-group.ts';
import { RowGroupEncoder } from './row-group.ts';

export type { ParquetWriteOptions } from './row-group.ts';
export { toIpcStream, writerProperties } from './row-group.ts';

/**
 * rowGroupRows: on the EPOS → Parquet run (15 columns, 68 bytes a row), 32 Ki to 1 Mi rows
 * compress alike (0.1 % apart) at the same speed, and each encoding thread's memory grows with
 * the row group (wasm memory, which never shrinks, holds about 6 row groups' bytes), so
 * 64 Ki rows (DuckDB's default is 120 Ki).
 */
export const PARQUET_WRITE_DEFAULTS: ParquetWriteOptions = {
  rowGroupRows: 65536,
  compression: 'zstd',
  statistics: true,
  floatEncoding: 'plain',
};

/**
 * Row groups in flight per worker: the one it encodes. A second one queued behind it cost
 * memory and gained no time measurable on the EPOS → Parquet run: the main thread, which
 * sends the next row group, is seldom busy for long.
 */
const IN_FLIGHT_PER_THREAD = 1;

/**
 * With the default thread count, row groups are encoded on the main thread until this much
 * has been written: starting threads and loading parquet-wasm in each costs more than it saves
 * for a small output. An explicit `threads` uses its threads from the first full row group.
 */
const THREADS_AFTER_BYTES = 64 << 20;

/** Opens `path` (a temporary file until `finish`) for rows of `columns` of `schema`. */
export async function openParquetWriter(
  path: string,
  columns: readonly ColumnSchema[],
  schema: Schema,
  options: ParquetWriteOptions,
  target: WriteTarget,
): Promise<TableEncoder> {
  const spec: RowGroupSpec = { columns, schema: cloneableSchema(schema), options };
  const file = await createAtomicFile(path, { overwrite: target.overwrite });
  // A writer on a worker thread (a shard of a run split across threads) keeps to that thread.
  const threads = options.threads ?? (isMainThread ? availableParallelism() : 1);
  const rowBytes = columns.reduce((sum, c) => sum + itemSizeOf(c.dtype) * c.width, 0);
  const inlineRows =
    options.threads === undefined ? Math.ceil(THREADS_AFTER_BYTES / Math.max(1, rowBytes)) : 0;
  return new ParquetEncoder(file, spec, { threads, inlineRows, expectedRows: target.rows });
}

/** What the row group encoders need of the schema, as plain data (it goes to worker threads). */
function cloneableSchema(schema: Schema): Schema {
  return JSON.parse(JSON.stringify(schema)) as Schema;
}

export class ParquetEncoder implements TableEncoder {
  private readonly assembler: ParquetAssembler;
  private readonly capacity: number;
  private encoder?: RowGroupEncoder;
  private pool?: EncoderPool<RowGroupTask, RowGroupResult>;
  /** The row group being filled: one array per column, `filled` rows so far. */
  private current: TypedArray[];
  /** Rows the current arrays hold: a row group's, or fewer for a small output. */
  private currentRows: number;
  private filled = 0;
  /** Rows flushed so far. */
  private flushed = 0;
  /** IPC buffers the workers handed back, to fill again. */
  private readonly spare: ArrayBuffer[] = [];

  constructor(
    private readonly file: AtomicFile,
    private readonly spec: RowGroupSpec,
    private readonly threading: {
      /** Threads encoding row groups, the main thread included. */
      readonly threads: number;
      /** Rows encoded on the main thread alone before workers start. */
      readonly inlineRows: number;
      /** The rows the run announced, if it did. */
      readonly expectedRows?: number;
    },
  ) {
    this.assembler = new ParquetAssembler(file);
    this.capacity = spec.options.rowGroupRows;
    // A small output known in advance gets arrays of its size, not a whole row group's.
    this.currentRows = Math.min(this.capacity, Math.max(1, threading.expectedRows ?? this.capacity));
    this.current = this.columnArrays(this.currentRows);
  }

  async write(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    for (let done = 0; done < rows;) {
      const take = Math.min(rows - done, this.capacity - this.filled);
      if (this.filled + take > this.currentRows) this.grow();
      for (const [i, { column, data }] of chunks.entries()) {
        const w = column.width;
        this.current[i].set(data.subarray(done * w, (done + take) * w) as never, this.filled * w);
      }
      this.filled += take;
      done += take;
      if (this.filled === this.capacity) await this.flush();
    }
  }

  async finish(): Promise<void> {
    // An empty input still makes a valid file with the schema: an empty row group's footer.
    if (this.filled > 0 || this.flushed === 0) await this.flush();
    await this.pool?.close();
    await this.assembler.finish();
    await this.file.commit();
  }

  async abort(): Promise<void> {
    await this.pool?.destroy().catch(() => undefined);
    await this.file.abort();
  }

  /**
   * Encodes the filled rows: on a worker once a full row group has been seen past
   * `inlineRows` (so a small output never starts a thread), here when every worker is busy
   * (one such row group at a time), else here in order. The pool keeps the row order, and
   * the last partial row group follows the others through it.
   */
  private async flush(): Promise<void> {
    const rows = this.filled;
    this.filled = 0;
    this.flushed += rows;
    this.encoder ??= await RowGroupEncoder.load(this.spec);
    const chunks = this.spec.columns.map((column, i) => ({
      column,
      data: this.current[i].subarray(0, rows * column.width),
    }));
    const pool = this.startPool(rows);
    // The IPC bytes go into a buffer a worker handed back (or one of the main thread's own).
    const ipc = this.encoder.ipc(chunks, rows, this.spare.pop());
    // Every worker busy: this thread encodes one row group itself; beyond that, submit waits.
    if (pool && pool.inFlight !== pool.capacity) {
      const buffer = ipc.buffer as ArrayBuffer;
      await pool.submit({ ipc: buffer, length: ipc.byteLength }, [buffer]);
      return;
    }
    const bytes = await this.encoder.encode(ipc);
    this.spare.push(ipc.buffer as ArrayBuffer);
    if (pool) pool.add({ bytes });
    else await this.assembler.append(bytesPart(bytes, this.file.path));
  }

  /** The pool, started at the first full row group past `inlineRows` when there are threads to spare. */
  private startPool(rows: number): EncoderPool<RowGroupTask, RowGroupResult> | undefined {
    const { threads, inlineRows } = this.threading;
    if (this.pool || threads < 2 || rows < this.capacity || this.flushed <= inlineRows) return this.pool;
    this.pool = new EncoderPool<RowGroupTask, RowGroupResult>(
      {
        module: 'formats/parquet/encode-worker',
        input: this.spec,
        threads: threads - 1,
        perWorker: IN_FLIGHT_PER_THREAD,
      },
      (result) => this.appendEncoded(result),
    );
    return this.pool;
  }

  private async appendEncoded(result: RowGroupResult): Promise<void> {
    await this.assembler.append(bytesPart(result.bytes, this.file.path));
    if (result.ipc) this.spare.push(result.ipc);
  }

  /** More rows came than the run announced: arrays of a whole row group, the filled rows kept. */
  private grow(): void {
    const arrays = this.columnArrays(this.capacity);
    arrays.forEach((array, i) =>
      array.set(this.current[i].subarray(0, this.filled * this.spec.columns[i].width) as never),
    );
    this.current = arrays;
    this.currentRows = this.capacity;
  }

  private columnArrays(rows: number): TypedArray[] {
    return this.spec.columns.map((column) => allocArray(column.dtype, rows * column.width));
  }
}
