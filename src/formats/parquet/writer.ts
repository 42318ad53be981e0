/**
 * Apache Parquet, the writer side (DuckDB, Polars, pandas/pyarrow open it). Types map one to
 * one (float32 → FLOAT, int8 → INT(8, signed), uint64 → INT(64, unsigned), ...); width-k
 * columns are fixed-size lists; sampleRate, source, origin and units go to the key-value
 * metadata (and the Arrow schema pyarrow restores).
 *
 * Rows are gathered into row groups of rowGroupRows, encoded on `threads − 1` worker threads
 * while the main thread goes on decoding and transforming, and appended in row order
 * (assembler.ts). Who encodes them:
 * - sluice itself (direct-row-group.ts) when every column is one number per row and the pages
 *   are zstd (with the native zstd library, an optional dependency) or uncompressed: PLAIN
 *   pages compressed by native zstd, laid out as arrow-rs lays them out (uncompressed, the
 *   same bytes). The workers get the row group's arrays themselves.
 * - parquet-wasm (arrow-rs) otherwise (lists, snappy, gzip, byte-stream-split, no native
 *   zstd), from Arrow IPC bytes; the main thread takes a row group itself when every worker
 *   is busy.
 * A row group is encoded the same wherever it is, so the file is byte for byte the same at
 * every thread count. */
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import { allocArray, itemSizeOf } from '../../core/dtype.ts';
import type { TypedArray } from '../../core/dtype.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { callInWorker } from '../../core/worker-call.ts';
import { createAtomicFile } from '../../io/atomic-file.ts';
import { loadNativeZstd } from '../../io/lazy.ts';
import { WriteBehind } from '../../io/write-behind.ts';
import { EncoderPool } from '../encoder-pool.ts';
import type { ColumnChunk, TableEncoder, WriteTarget } from '../table-encoder.ts';
import { bytesPart, ParquetAssembler } from './assembler.ts';
import { DirectRowGroupEncoder, encodesDirectly } from './direct-row-group.ts';
import type { RowGroupResult, RowGroupTask } from './encode-worker.ts';
import { columnArrays } from './encode-worker.ts';
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
 * The same when sluice encodes the row groups (direct-row-group.ts), and the main thread then
 * never encodes one while there are workers: measured on the EPOS → Parquet run (2 cores),
 * 4.5–4.9 s against 5.8–6.6 s with the main thread taking a row group whenever the worker was
 * busy (it then left the worker idle), and 2 in flight against 1 kept the worker busy.
 */
const DIRECT_IN_FLIGHT_PER_THREAD = 2;

/**
 * With the default thread count, row groups are encoded on the main thread until this much
 * has been written: starting threads and loading parquet-wasm in each costs more than it saves
 * for a small output. An explicit `threads` uses its threads from the first full row group.
 */
const THREADS_AFTER_BYTES = 64 << 20;
/** The same for sluice's own encoder, whose workers load only the native zstd library. */
const DIRECT_THREADS_AFTER_BYTES = 8 << 20;

/** Opens `path` (a temporary file until `finish`) for rows of `columns` of `schema`. */
export async function openParquetWriter(
  path: string,
  columns: readonly ColumnSchema[],
  schema: Schema,
  options: ParquetWriteOptions,
  target: WriteTarget,
): Promise<TableEncoder> {
  let spec: RowGroupSpec = { columns, schema: cloneableSchema(schema), options };
  const zstd = options.compression === 'zstd' ? await loadNativeZstd() : undefined;
  const direct = encodesDirectly(columns, options, zstd);
  if (direct) spec = { ...spec, template: await templateFile(spec) };
  const file = await createAtomicFile(path, { overwrite: target.overwrite });
  // A writer on a worker thread (a shard of a run split across threads) keeps to that thread.
  const threads = options.threads ?? (isMainThread ? availableParallelism() : 1);
  const rowBytes = columns.reduce((sum, c) => sum + itemSizeOf(c.dtype) * c.width, 0);
  const afterBytes = direct ? DIRECT_THREADS_AFTER_BYTES : THREADS_AFTER_BYTES;
  const inlineRows = options.threads === undefined ? Math.ceil(afterBytes / Math.max(1, rowBytes)) : 0;
  const encoder = direct ? await DirectRowGroupEncoder.create(spec, zstd) : undefined;
  return new ParquetEncoder(file, spec, { threads, inlineRows, expectedRows: target.rows }, encoder);
}

/** parquet-wasm's Parquet file of the schema and no rows: the footer of sluice's own row groups. */
async function templateFile(spec: RowGroupSpec): Promise<Uint8Array> {
  const bytes = await callInWorker<Uint8Array>('formats/parquet/template-worker', spec);
  return new Uint8Array(bytes);
}

/** What the row group encoders need of the schema, as plain data (it goes to worker threads). */
function cloneableSchema(schema: Schema): Schema {
  return JSON.parse(JSON.stringify(schema)) as Schema;
}

export class ParquetEncoder implements TableEncoder {
  private readonly assembler: ParquetAssembler;
  private readonly out: WriteBehind;
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
  /** Row groups' arrays the workers handed back (direct encoding), to fill again. */
  private readonly spareColumns: TypedArray[][] = [];

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
    /** sluice's own encoder of the row groups, where it encodes them (else parquet-wasm). */
    private readonly direct?: DirectRowGroupEncoder,
  ) {
    // Every part the assembler writes is a row group's own buffer, never reused: safe to write behind.
    this.out = new WriteBehind(file);
    this.assembler = new ParquetAssembler(this.out);
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
    await this.out.drain();
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
    if (this.direct) return this.flushDirect(rows);
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
    await this.appendHere(pool, bytes);
  }

  /**
   * The same for sluice's own encoder: a worker is handed the row group's arrays themselves
   * (moved, not copied), and this thread fills arrays a worker handed back. No rows at all:
   * the template, parquet-wasm's file of no rows.
   */
  private async flushDirect(rows: number): Promise<void> {
    const direct = this.direct as DirectRowGroupEncoder;
    if (rows === 0) return this.appendHere(this.pool, this.spec.template as Uint8Array);
    const pool = this.startPool(rows);
    // The main thread never encodes once there are workers: it has the pipeline to run.
    if (pool) {
      const buffers = this.current.map((array) => array.buffer as ArrayBuffer);
      this.current = this.spareColumns.pop() ?? this.columnArrays(this.capacity);
      this.currentRows = this.capacity;
      await pool.submit({ columns: buffers, rows }, buffers);
      return;
    }
    const arrays = this.current.map((array, i) => array.subarray(0, rows * this.spec.columns[i].width));
    await this.appendHere(pool, direct.encode(arrays, rows));
  }

  /** A row group encoded on this thread: after the pool's, in order, or straight to the file. */
  private async appendHere(
    pool: EncoderPool<RowGroupTask, RowGroupResult> | undefined,
    bytes: Uint8Array,
  ): Promise<void> {
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
        perWorker: this.direct ? DIRECT_IN_FLIGHT_PER_THREAD : IN_FLIGHT_PER_THREAD,
      },
      (result) => this.appendEncoded(result),
    );
    return this.pool;
  }

  private async appendEncoded(result: RowGroupResult): Promise<void> {
    await this.assembler.append(bytesPart(result.bytes, this.file.path));
    if (result.ipc) this.spare.push(result.ipc);
    if (result.columns) this.spareColumns.push(columnArrays(this.spec, result.columns));
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
