import { z } from 'zod';
import type { Batch, Column } from '../core/batch.ts';
import type { NumberArray, TypedArray } from '../core/dtype.ts';
import { allocArray, dtypeOf, itemSizeOf } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';

const predicate = z
  .object({
    column: z.string().min(1).describe('The column tested (width 1).'),
    within: z
      .tuple([z.number(), z.number()])
      .optional()
      .describe('[lo, hi]: keeps lo ≤ x ≤ hi (both ends included), like (x >= lo) & (x <= hi) in numpy.'),
    min: z.number().optional().describe('Keeps x ≥ min.'),
    max: z.number().optional().describe('Keeps x ≤ max.'),
    above: z.number().optional().describe('Keeps x > above (end excluded).'),
    below: z.number().optional().describe('Keeps x < below (end excluded).'),
  })
  .strict()
  .refine((q) => [q.within, q.min, q.max, q.above, q.below].some((v) => v !== undefined), {
    message: 'give at least one bound: within, min, max, above or below',
  })
  .describe('One range test on one column; all its bounds must hold.');

const params = z
  .object({
    where: z
      .array(predicate)
      .min(1)
      .describe(
        "Range tests, all of which a row must pass (and), e.g. [{ column: 'm/n (Da)', within: [10, 20] }].",
      ),
  })
  .strict()
  .describe(
    'Keeps the rows whose columns lie within ranges; NaN passes no test. Row-wise, so it passes look-back through: history rows that fail are dropped and the output history counts the kept ones. Batches keep their `start` (the global row of the first input row); after filtering, rows are no longer consecutive source rows.',
  );

export type FilterParams = z.output<typeof params>;

/** One predicate as closed/open bounds: lo (inclusive unless loOpen) … hi. */
export interface Bounds {
  readonly column: string;
  readonly lo: number;
  readonly loOpen: boolean;
  readonly hi: number;
  readonly hiOpen: boolean;
}

/** The tightest interval a predicate's bounds describe. */
export function toBounds(q: FilterParams['where'][number]): Bounds {
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

function checkColumns(p: FilterParams, schema: Schema): void {
  for (const q of p.where) {
    const column = requireColumn(schema, q.column, 'filter');
    if (column.width !== 1) {
      throw new SluiceError(
        'PARAMS_INVALID',
        `filter: column '${q.column}' has ${column.width} values per row`,
        {
          hint: 'filter tests one value per row; derive a scalar column first',
        },
      );
    }
  }
}

export default defineStage({
  name: 'filter',
  kind: 'transform',
  params,
  history: () => 0,
  schema: (p, input) => {
    checkColumns(p, input);
    return input;
  },
  create: (p, ctx) => {
    checkColumns(p, ctx.schema);
    const bounds = p.where.map(toBounds);
    return (batch: Batch) => filterBatch(batch, bounds);
  },
});

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
