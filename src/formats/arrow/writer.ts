/**
 * Arrow IPC, the writer side (pyarrow, Polars, DuckDB and pandas open it): one record batch
 * per write, built from the typed arrays without copying; width-k columns as
 * FixedSizeList<k>; units per field and sampleRate, source and origin as schema metadata. No
 * compression, so readers can memory-map it.
 */
import type { RecordBatchWriter, Schema as ArrowSchema } from 'apache-arrow';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { createAtomicFile } from '../../io/atomic-file.ts';
import type { ArrowModule } from '../../io/lazy.ts';
import { loadArrow } from '../../io/lazy.ts';
import type { IpcChunks } from './batch.ts';
import { createIpcChunks, toArrowSchema, toRecordBatch } from './batch.ts';
import type { ColumnChunk, TableEncoder, WriteTarget } from '../table-encoder.ts';

export interface ArrowWriteOptions {
  /** IPC file format (random access) or stream format; auto chooses by extension (ipcFormatOf). */
  readonly format: 'auto' | 'file' | 'stream';
}

export const ARROW_WRITE_DEFAULTS: ArrowWriteOptions = { format: 'auto' };

/** Opens `path` (a temporary file until `finish`) for rows of `columns` of `schema`. */
export async function openArrowWriter(
  path: string,
  columns: readonly ColumnSchema[],
  schema: Schema,
  options: ArrowWriteOptions,
  target: WriteTarget,
): Promise<TableEncoder> {
  const arrow = await loadArrow();
  const arrowSchema = toArrowSchema(arrow, columns, schema);
  const file = await createAtomicFile(path, { overwrite: target.overwrite });
  return new ArrowEncoder(arrow, file, arrowSchema, ipcFormatOf(path, options.format));
}

/** `stream` for .arrows, `file` otherwise, unless `format` says. */
export function ipcFormatOf(path: string, format: ArrowWriteOptions['format']): 'file' | 'stream' {
  if (format !== 'auto') return format;
  return path.toLowerCase().endsWith('.arrows') ? 'stream' : 'file';
}

export class ArrowEncoder implements TableEncoder {
  private readonly writer: RecordBatchWriter;
  private readonly sink: IpcChunks;

  constructor(
    private readonly arrow: ArrowModule,
    private readonly file: AtomicFile,
    private readonly schema: ArrowSchema,
    format: 'file' | 'stream',
  ) {
    this.sink = createIpcChunks(arrow);
    this.writer = format === 'file' ? new arrow.RecordBatchFileWriter() : new arrow.RecordBatchStreamWriter();
    // Our sink replaces apache-arrow's queue, which would hold every batch until read.
    this.writer.reset(this.sink, schema);
  }

  async write(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    this.writer.write(toRecordBatch(this.arrow, this.schema, chunks, rows));
    await this.drain();
  }

  async finish(): Promise<void> {
    // An empty input still gets a valid file: the schema (written by reset) and the footer.
    this.writer.finish();
    await this.drain();
    await this.file.commit();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }

  /** Writes what the IPC writer produced; the batch's buffers are written before write() returns. */
  private async drain(): Promise<void> {
    for (const chunk of this.sink.take()) await this.file.write(chunk);
  }
}
