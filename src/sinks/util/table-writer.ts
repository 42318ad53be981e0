/**
 * What every writer sink shares (DESIGN.md §3, §6): the `out` and `columns` params, the
 * selection and order of the columns written, and the SinkInstance that hands each batch's
 * NEW rows (views, no copy) to a format encoder, awaits it (the runner awaits `write`, so a
 * slow disk pauses the source instead of filling memory), and on any failure aborts the
 * encoder so no file appears under its final name.
 */
import { z } from 'zod';
import type { Batch } from '../../core/batch.ts';
import { getColumn } from '../../core/batch.ts';
import type { TypedArray } from '../../core/dtype.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import { requireColumns } from '../../core/schema.ts';
import type { SinkInstance } from '../../core/stage.ts';

/** Fields every writer's params start with; spread into its `z.object({...})`. */
export const writerFields = {
  out: z
    .string()
    .min(1)
    .describe('The file to write; it appears only when complete (temporary name, fsync, rename).'),
  columns: z
    .array(z.string().min(1))
    .min(1)
    .refine((names) => new Set(names).size === names.length, 'column names must not repeat')
    .optional()
    .describe('Columns to write, in this order; every column of the input, in its order, when absent.'),
};

/** One column's new rows in a batch: `rows * width` values, a view onto the batch. */
export interface ColumnChunk {
  readonly column: ColumnSchema;
  readonly data: TypedArray;
}

/** What a format implements; the WriterSink owns the calling discipline. */
export interface TableEncoder {
  /** Writes `rows` rows; the views are valid only until the returned promise settles. */
  write(chunks: readonly ColumnChunk[], rows: number): void | Promise<void>;
  /** Completes the output(s): trailing metadata, then commit (rename). */
  finish(): Promise<void>;
  /** Removes every temporary file. Must be idempotent and never throw for a missing file. */
  abort(): Promise<void>;
}

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

/** The bytes of a typed array, as a view (no copy); sluice hosts are little-endian. */
export function toBytes(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Packs columns' rows into records (row r: column 0's values, column 1's, ...), as a structured
 * array or a row-major 2-D array stores them. Its buffer is reused between calls (grown, never
 * per row), so the result is valid until the next `pack`.
 */
export class RecordPacker {
  private buffer = new Uint8Array(0);

  pack(chunks: readonly ColumnChunk[], rows: number): Uint8Array {
    let recordSize = 0;
    for (const { data } of chunks) recordSize += data.byteLength / Math.max(rows, 1);
    const total = recordSize * rows;
    if (this.buffer.length < total) this.buffer = new Uint8Array(total);
    const out = this.buffer.subarray(0, total);
    let offset = 0;
    for (const { data } of chunks) {
      const bytes = toBytes(data);
      const fieldSize = bytes.length / rows;
      // A byte loop: no subarray per row (allocating per row is what makes writers slow).
      for (let r = 0, src = 0, dst = offset; r < rows; r++, dst += recordSize) {
        for (let b = 0; b < fieldSize; b++) out[dst + b] = bytes[src++];
      }
      offset += fieldSize;
    }
    return out;
  }
}
