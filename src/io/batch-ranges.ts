/**
 * The one definition of which rows a batch holds (docs/design.md §2): batch k's new rows are
 * [startRow + k·chunkRows, …) clipped at endRow, and it starts min(overlap, newStart) rows
 * earlier — look-back may reach before startRow (so a shard sees what a whole-file run sees),
 * never before row 0. Every source reads its batches through this.
 */
export interface BatchRange {
  /** First row of the batch, look-back included. */
  readonly first: number;
  /** First new row. */
  readonly newStart: number;
  /** One past the last row. */
  readonly end: number;
  /** Rows in the batch (end − first). */
  readonly rows: number;
  /** Look-back rows at its start (newStart − first). */
  readonly history: number;
}

export interface RowRange {
  readonly startRow: number;
  readonly endRow: number;
  readonly chunkRows: number;
  readonly overlap: number;
}

/** The batch whose new rows start at `newStart`. */
export function batchRangeAt(range: RowRange, newStart: number): BatchRange {
  const first = Math.max(0, newStart - range.overlap);
  const end = Math.min(newStart + range.chunkRows, range.endRow);
  return { first, newStart, end, rows: end - first, history: newStart - first };
}

/** Every batch of the range, in order. */
export function* batchRanges(range: RowRange): Generator<BatchRange, void, undefined> {
  for (let newStart = range.startRow; newStart < range.endRow; newStart += range.chunkRows) {
    yield batchRangeAt(range, newStart);
  }
}
