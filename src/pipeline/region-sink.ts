/**
 * One writer's share of an output filled in place (row-regions.ts): a worker thread's piece of
 * a local run, or a queued run's shard. Its rows arrive in order from `startRow`, so each region
 * is appended to from that row's offset on, through a RegionWriter (full stages written while
 * the next batch is computed; straight to the device where the offsets allow). Packed as the
 * format lays rows out: one region per column (HDF5), or records (NPY, a pandas table).
 */
import type { Batch } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema } from '../core/schema.ts';
import { requireColumns } from '../core/schema.ts';
import type { SinkInstance } from '../core/stage.ts';
import { PandasRecordPacker } from '../formats/hdf5/pandas-records.ts';
import type { ColumnChunk } from '../formats/table-encoder.ts';
import { RecordPacker, toBytes } from '../formats/table-encoder.ts';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { RegionWriter } from '../io/region-writer.ts';
import type { RegionOutput } from './row-regions.ts';

export interface RegionSinkOptions {
  /** The run's first row: row `runStart` goes to each region's offset. */
  readonly runStart: number;
  /** The first row this writer writes. */
  readonly startRow: number;
  /** fsync on finish (a queued shard's done-marker must mean its rows are on disk). */
  readonly sync: boolean;
}

/** Opens the output's file for writing rows from `options.startRow` on. */
export async function openRegionSink(
  output: RegionOutput,
  columns: readonly ColumnSchema[],
  options: RegionSinkOptions,
): Promise<SinkInstance<{ rows: number }>> {
  const handle = await open(output.temp, 'r+').catch((error: Error) => {
    throw new SluiceError('IO_WRITE', `${output.temp}: ${error.message}`, {
      path: output.out,
      cause: error,
      hint: 'Every worker must reach the output directory at the same path; run the command again to recreate the file.',
    });
  });
  try {
    const first = options.startRow - options.runStart;
    const offsets = output.regions.map((region) => region.offset + first * region.rowBytes);
    const writer = await RegionWriter.open(handle, output.temp, offsets, output.out);
    return new RegionSink(handle, writer, output, columns, options);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Records packed and handed to the writer this many bytes at a time. */
const RECORD_BLOCK_BYTES = 256 * 1024;

class RegionSink implements SinkInstance<{ rows: number }> {
  readonly outputs: readonly string[] = [];
  private rows = 0;
  private closed = false;
  private readonly packer = new RecordPacker();
  private readonly columns: readonly ColumnSchema[];
  /** By region: the packer of records led by their row number. */
  private readonly numbered: PandasRecordPacker[] = [];

  constructor(
    private readonly handle: FileHandle,
    private readonly writer: RegionWriter,
    private readonly output: RegionOutput,
    schemaColumns: readonly ColumnSchema[],
    private readonly options: RegionSinkOptions,
  ) {
    this.columns = requireColumns({ columns: [...schemaColumns] }, output.columns, 'region writer');
  }

  async write(batch: Batch): Promise<void> {
    const rows = batch.rows - batch.history;
    if (rows <= 0) return;
    const row = batch.start + batch.history;
    const expected = this.options.startRow + this.rows;
    if (row !== expected) {
      throw new SluiceError(
        'ROWS_MISMATCH',
        `region writer: row ${row} arrived where row ${expected} was next`,
        {
          path: this.output.out,
          hint: 'This is a bug: please report it.',
        },
      );
    }
    const chunks: ColumnChunk[] = this.columns.map((column) => {
      const { data, width } = getColumn(batch, column.name);
      return { column, data: data.subarray(batch.history * width, batch.rows * width) };
    });
    for (let r = 0; r < this.output.regions.length; r++) {
      await this.append(r, chunks, row - this.options.runStart, rows);
    }
    this.rows += rows;
  }

  async finish(): Promise<{ rows: number }> {
    await this.writer.finish();
    if (this.options.sync) await this.handle.sync();
    await this.close();
    return { rows: this.rows };
  }

  async abort(): Promise<void> {
    if (this.closed) return;
    await this.writer.abort();
    await this.close();
  }

  /** Appends the region's bytes for `rows` rows from run row `first`: a column's own bytes, or records. */
  private async append(index: number, chunks: readonly ColumnChunk[], first: number, rows: number) {
    const region = this.output.regions[index];
    const picked = region.columns.map((c) => chunks[c]);
    if (!region.rowNumber) {
      const bytes = picked.length === 1 ? toBytes(picked[0].data) : this.packer.pack(picked, rows);
      await this.writer.append(index, bytes);
      return;
    }
    const packer = (this.numbered[index] ??= new PandasRecordPacker(picked.map((c) => c.column)));
    // Packed a block at a time: the block stays in cache while the writer copies it.
    const block = Math.max(1, Math.floor(RECORD_BLOCK_BYTES / packer.rowBytes));
    const base = first + (region.rowNumberBase ?? 0);
    for (let from = 0; from < rows; from += block) {
      const n = Math.min(block, rows - from);
      await this.writer.append(index, packer.pack(picked, from, n, base + from));
    }
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
