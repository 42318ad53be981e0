/**
 * Builds Batches from typed arrays, and cuts a table into the batches a source would deliver
 * for a chunk size and look-back (docs/design.md §1–2). Column data are views, never copies.
 */
import type { Batch, Column } from '../../src/core/batch.ts';
import type { TypedArray } from '../../src/core/dtype.ts';
import { dtypeOf } from '../../src/core/dtype.ts';
import type { Schema } from '../../src/core/schema.ts';

/** Columns of equal row count; a bare typed array is a width-1 column. */
export type Table = Readonly<Record<string, TypedArray | Column>>;

export interface BatchOptions {
  /** Global row index of row 0. */
  readonly start?: number;
  /** Leading rows that repeat the previous batch. */
  readonly history?: number;
  /** Shared schema; derived from the columns when absent. */
  readonly schema?: Schema;
}

export function toColumn(value: TypedArray | Column): Column {
  return 'width' in value && 'data' in value ? value : { data: value, width: 1 };
}

/** The schema of a table: dtypes from the arrays, widths from the columns. */
export function schemaOf(table: Table): Schema {
  return {
    columns: Object.entries(table).map(([name, value]) => {
      const { data, width } = toColumn(value);
      return { name, dtype: dtypeOf(data), width };
    }),
  };
}

/** Rows of a table (every column must agree). */
export function rowCountOf(table: Table): number {
  const counts = Object.values(table).map((value) => {
    const { data, width } = toColumn(value);
    return data.length / width;
  });
  if (counts.some((n) => n !== counts[0] || !Number.isInteger(n))) throw new RangeError('ragged table');
  return counts[0] ?? 0;
}

/** One batch holding the whole table. */
export function makeBatch(table: Table, options: BatchOptions = {}): Batch {
  const history = options.history ?? 0;
  const rows = rowCountOf(table);
  if (history > rows) throw new RangeError('history exceeds rows');
  const columns: Record<string, Column> = {};
  for (const [name, value] of Object.entries(table)) columns[name] = toColumn(value);
  return { schema: options.schema ?? schemaOf(table), columns, rows, start: options.start ?? 0, history };
}

/** The rows [from, to) of a table, as views. */
export function sliceTable(table: Table, from: number, to: number): Record<string, Column> {
  const out: Record<string, Column> = {};
  for (const [name, value] of Object.entries(table)) {
    const { data, width } = toColumn(value);
    out[name] = { data: data.subarray(from * width, to * width), width };
  }
  return out;
}

export interface ChunkOptions {
  /** Look-back rows each batch repeats (fewer at the start of the table). */
  readonly history?: number;
  /** New rows start here (a shard's first row); earlier rows may still appear as history. */
  readonly startRow?: number;
  /** New rows end here (exclusive). */
  readonly endRow?: number;
}

/**
 * The batches a source delivers for `[startRow, endRow)` in chunks of `chunkRows` new rows,
 * each starting with up to `history` rows of look-back (docs/design.md §2).
 */
export function chunkBatches(table: Table, chunkRows: number, options: ChunkOptions = {}): Batch[] {
  const schema = schemaOf(table);
  const lookBack = options.history ?? 0;
  const endRow = options.endRow ?? rowCountOf(table);
  const batches: Batch[] = [];
  for (let from = options.startRow ?? 0; from < endRow; from += chunkRows) {
    const history = Math.min(lookBack, from);
    const to = Math.min(from + chunkRows, endRow);
    batches.push(
      makeBatch(sliceTable(table, from - history, to), { start: from - history, history, schema }),
    );
  }
  return batches;
}
