/**
 * The filter stage's `where` language: range tests on columns as closed or open bounds, the
 * row mask they make (NaN passes no test, int64 compared exactly), and the rows a mask keeps.
 */
import type { Batch, Column } from '../core/batch.ts';
import type { NumberArray, TypedArray } from '../core/dtype.ts';
import { allocArray, dtypeOf, itemSizeOf } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';

/** One range test of the filter's `where`: all its bounds must hold. */
export interface RangeTest {
  readonly column: string;
  /** [lo, hi], both ends included. */
  readonly within?: readonly [number, number];
  readonly min?: number;
  readonly max?: number;
  /** Lower bound, excluded. */
  readonly above?: number;
  /** Upper bound, excluded. */
  readonly below?: number;
}

/** One predicate as closed/open bounds: lo (inclusive unless loOpen) … hi. */
export interface Bounds {
  readonly column: string;
  readonly lo: number;
  readonly loOpen: boolean;
  readonly hi: number;
  readonly hiOpen: boolean;
}

/** The tightest interval a predicate's bounds describe. */
export function toBounds(q: RangeTest): Bounds {
  let lo = -Infinity;
  let loOpen = false;
  let hi = Infinity;
  let hiOpen = false;
  const raiseLo = (v: number, open: boolean) => {
    if (v > lo || (v === lo && open)) [lo, loOpen] = [v, open];
  };
  const lowerHi = (v: number, open: boolean) => {
    if (v < hi || (v === hi && open)) [hi, hiOpen] = [v, open];
  };
  if (q.within) {
    raiseLo(q.within[0], false);
    lowerHi(q.within[1], false);
  }
  if (q.min !== undefined) raiseLo(q.min, false);
  if (q.above !== undefined) raiseLo(q.above, true);
  if (q.max !== undefined) lowerHi(q.max, false);
  if (q.below !== undefined) lowerHi(q.below, true);
  return { column: q.column, lo, loOpen, hi, hiOpen };
}

/**
 * The rows of `batch` passing every test, or null when none of its new rows does; the batch
 * itself when every row passes.
 */
export function filterBatch(batch: Batch, bounds: readonly Bounds[]): Batch | null {
  const mask = new Uint8Array(batch.rows).fill(1);
  for (const b of bounds) {
    const column = batch.columns[b.column];
    if (!column) throw new SluiceError('COLUMN_UNKNOWN', `filter: batch has no column '${b.column}'`);
    applyBounds(column.data, b, mask);
  }
  let keptHistory = 0;
  for (let i = 0; i < batch.history; i++) keptHistory += mask[i];
  let kept = keptHistory;
  for (let i = batch.history; i < batch.rows; i++) kept += mask[i];
  if (kept === keptHistory) return null;
  if (kept === batch.rows) return batch;
  const columns: Record<string, Column> = {};
  for (const [name, column] of Object.entries(batch.columns)) {
    Object.defineProperty(columns, name, {
      value: { data: compact(column.data, column.width, mask, kept), width: column.width },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { ...batch, columns, rows: kept, history: keptHistory };
}

/** mask[i] &= (value i within the bounds); NaN fails every test. */
export function applyBounds(data: TypedArray, b: Bounds, mask: Uint8Array): void {
  const n = mask.length;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    // bigint/number comparisons are exact, so int64 values beyond 2^53 are tested exactly.
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if ((b.loOpen ? v <= b.lo : v < b.lo) || (b.hiOpen ? v >= b.hi : v > b.hi)) mask[i] = 0;
    }
    return;
  }
  const values = data as NumberArray;
  const { lo, hi } = b;
  if (!b.loOpen && !b.hiOpen) {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (!(v >= lo && v <= hi)) mask[i] = 0;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!((b.loOpen ? v > lo : v >= lo) && (b.hiOpen ? v < hi : v <= hi))) mask[i] = 0;
  }
}

/**
 * The rows of `data` (width values each) where mask is 1: a new array of the same type. Values
 * move as 1/2/4-byte words by bit pattern (8-byte values as two words: no BigInt boxing).
 */
export function compact(data: TypedArray, width: number, mask: Uint8Array, kept: number): TypedArray {
  const out = allocArray(dtypeOf(data), kept * width);
  const size = itemSizeOf(dtypeOf(data));
  const unit = size === 8 ? 4 : size;
  const per = (size / unit) * width;
  const words = (a: TypedArray) =>
    unit === 4
      ? new Uint32Array(a.buffer, a.byteOffset, a.byteLength / 4)
      : unit === 2
        ? new Uint16Array(a.buffer, a.byteOffset, a.byteLength / 2)
        : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  // Column arrays are aligned to their element size, so word views of them are too.
  const src = words(data);
  const dst = words(out);
  let d = 0;
  if (per === 1) {
    for (let i = 0; i < mask.length; i++) if (mask[i]) dst[d++] = src[i];
    return out;
  }
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    for (let j = 0, s = i * per; j < per; j++) dst[d++] = src[s + j];
  }
  return out;
}
