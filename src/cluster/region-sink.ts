/**
 * A shard's writer for an output filled in place (row-outputs.ts, `regions`): each batch's new
 * rows of the output's columns go straight to their offsets in the file the submitting run
 * created, packed as the format lays rows out (one region per column for HDF5, records for
 * NPY). `finish` fsyncs, so the shard's done-marker, written after, means the rows are on disk.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { Batch } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema } from '../core/schema.ts';
import { requireColumns } from '../core/schema.ts';
import type { SinkInstance } from '../core/stage.ts';
import type { ColumnChunk } from '../formats/table-encoder.ts';
import { RecordPacker, toBytes } from '../formats/table-encoder.ts';
import type { RowOutput } from './row-outputs.ts';

type Regions = Extract<RowOutput, { kind: 'regions' }>;

/** Opens the output's file for writing the rows of a shard; `runStart` is the run's first row. */
export async function openRegionSink(
  output: Regions,
  columns: readonly ColumnSchema[],
  runStart: number,
): Promise<SinkInstance<{ rows: number }>> {
  const handle = await open(output.temp, 'r+').catch((error: Error) => {
    throw new SluiceError('IO_WRITE', `${output.temp}: ${error.message}`, {
      path: output.out,
      cause: error,
      hint: 'Every worker must reach the output directory at the same path; run the command again to recreate the file.',
    });
  });
  return new RegionSink(handle, output, columns, runStart);
}

class RegionSink implements SinkInstance<{ rows: number }> {
  readonly outputs: readonly string[] = [];
  private rows = 0;
  private closed = false;
  private readonly packer = new RecordPacker();
  private readonly columns: readonly ColumnSchema[];

  constructor(
    private readonly handle: FileHandle,
    private readonly output: Regions,
    schemaColumns: readonly ColumnSchema[],
    private readonly runStart: number,
  ) {
    this.columns = requireColumns({ columns: [...schemaColumns] }, output.columns, 'region writer');
  }

  async write(batch: Batch): Promise<void> {
    const rows = batch.rows - batch.history;
    if (rows <= 0) return;
    const row = batch.start + batch.history - this.runStart;
    const chunks: ColumnChunk[] = this.columns.map((column) => {
      const { data, width } = getColumn(batch, column.name);
      return { column, data: data.subarray(batch.history * width, batch.rows * width) };
    });
    for (const region of this.output.regions) {
      const picked = region.columns.map((c) => chunks[c]);
      const bytes = picked.length === 1 ? toBytes(picked[0].data) : this.packer.pack(picked, rows);
      await writeAll(this.handle, bytes, region.offset + row * region.rowBytes, this.output.out);
    }
    this.rows += rows;
  }

  async finish(): Promise<{ rows: number }> {
    await this.handle.sync();
    await this.close();
    return { rows: this.rows };
  }

  async abort(): Promise<void> {
    await this.close();
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

async function writeAll(
  handle: FileHandle,
  bytes: Uint8Array,
  position: number,
  path: string,
): Promise<void> {
  try {
    for (let done = 0; done < bytes.length;) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  } catch (error) {
    throw new SluiceError('IO_WRITE', `${path}: ${(error as Error).message}`, { path, cause: error });
  }
}
