/**
 * What every writer sink shares (its params are writer-params.ts): the selection and order of
 * the columns written, and the SinkInstance that hands each batch's NEW rows (views, no copy)
 * to a format's TableEncoder, awaits it (the runner awaits `write`, so a slow disk pauses the
 * source instead of filling memory), and on any failure aborts the encoder so no file appears
 * under its final name.
 */
import type { Batch } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { requireColumns } from '../core/schema.ts';
import type { SinkInstance } from '../core/stage.ts';
import type { ColumnChunk, TableEncoder } from '../formats/table-encoder.ts';

/** The columns a writer writes, checked against the input schema (COLUMN_UNKNOWN otherwise). */
export function selectColumns(
  schema: Schema,
  names: readonly string[] | undefined,
  stage: string,
): ColumnSchema[] {
  return requireColumns(schema, names, stage);
}

/** The new rows [history, rows) of the selected columns, as views. */
export function newRowChunks(batch: Batch, columns: readonly ColumnSchema[]): ColumnChunk[] {
  return columns.map((column) => {
    const { data, width } = getColumn(batch, column.name);
    return { column, data: data.subarray(batch.history * width, batch.rows * width) };
  });
}

/** A writer sink over an encoder; rows written are returned by `finish` as `{ rows }`. */
export function createWriterSink(
  outputs: readonly string[],
  columns: readonly ColumnSchema[],
  encoder: TableEncoder,
): SinkInstance<{ rows: number }> {
  return new WriterSink(outputs, columns, encoder);
}

class WriterSink implements SinkInstance<{ rows: number }> {
  private rows = 0;
  private aborted = false;

  constructor(
    readonly outputs: readonly string[],
    private readonly columns: readonly ColumnSchema[],
    private readonly encoder: TableEncoder,
  ) {}

  async write(batch: Batch): Promise<void> {
    const rows = batch.rows - batch.history;
    if (rows <= 0) return;
    await this.guard(() => this.encoder.write(newRowChunks(batch, this.columns), rows));
    this.rows += rows;
  }

  async finish(): Promise<{ rows: number }> {
    await this.guard(() => this.encoder.finish());
    return { rows: this.rows };
  }

  async abort(): Promise<void> {
    if (this.aborted) return;
    this.aborted = true;
    await this.encoder.abort();
  }

  /** Any failure removes the partial output before it is reported. */
  private async guard(run: () => void | Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      await this.abort().catch(() => undefined);
      throw error;
    }
  }
}
