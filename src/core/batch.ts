import type { TypedArray } from './dtype.ts';
import { SluiceError } from './errors.ts';
import type { Schema } from './schema.ts';

/** A column's values: `rows * width` elements, row-major. */
export interface Column {
  readonly data: TypedArray;
  readonly width: number;
}

/**
 * A table of equal-length columns. Rows [0, history) repeat the end of the previous batch
 * (look-back); rows [history, rows) are new. See docs/design.md §1–2.
 */
export interface Batch {
  readonly schema: Schema;
  readonly columns: Readonly<Record<string, Column>>;
  readonly rows: number;
  /** Global row index (in the source) of row 0 of this batch. */
  readonly start: number;
  readonly history: number;
}

/** Rows in the batch that no earlier batch delivered. */
export function newRowCount(batch: Batch): number {
  return batch.rows - batch.history;
}

export function getColumn(batch: Batch, name: string): Column {
  const column = batch.columns[name];
  if (!column) {
    throw new SluiceError('COLUMN_UNKNOWN', `batch has no column '${name}'`, {
      hint: `Columns: ${Object.keys(batch.columns).join(', ')}.`,
    });
  }
  return column;
}

/** The new rows of one column, as a view (no copy). */
export function newRowsOf(batch: Batch, name: string): TypedArray {
  const { data, width } = getColumn(batch, name);
  return data.subarray(batch.history * width, batch.rows * width);
}
