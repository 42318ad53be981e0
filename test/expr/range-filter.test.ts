/** The filter's range tests: bounds, the mask (NaN fails, int64 exact), and the rows it keeps. */
import { describe, expect, it } from 'vitest';
import { applyBounds, compact, filterBatch, toBounds } from '../../src/expr/range-filter.ts';
import type { TypedArray } from '../../src/core/dtype.ts';
import { makeBatch } from '../support/batches.ts';

const valuesOf = (data: TypedArray) => Array.from(data as ArrayLike<number | bigint>);

const maskOf = (data: Parameters<typeof applyBounds>[0], test: Parameters<typeof toBounds>[0]) => {
  const mask = new Uint8Array(data.length).fill(1);
  applyBounds(data, toBounds(test), mask);
  return Array.from(mask);
};

describe('toBounds', () => {
  it('keeps the tightest bound of each side; an open bound wins a tie', () => {
    expect(toBounds({ column: 'x', within: [0, 10], min: 2, below: 10 })).toEqual({
      column: 'x',
      lo: 2,
      loOpen: false,
      hi: 10,
      hiOpen: true,
    });
    expect(toBounds({ column: 'x', above: 1 })).toEqual({
      column: 'x',
      lo: 1,
      loOpen: true,
      hi: Infinity,
      hiOpen: false,
    });
  });
});

describe('applyBounds', () => {
  const x = Float64Array.from([0, 1, 2, 3, NaN]);

  it('closed and open ends, NaN never', () => {
    expect(maskOf(x, { column: 'x', within: [1, 3] })).toEqual([0, 1, 1, 1, 0]);
    expect(maskOf(x, { column: 'x', above: 1, below: 3 })).toEqual([0, 0, 1, 0, 0]);
    expect(maskOf(x, { column: 'x', max: 1 })).toEqual([1, 1, 0, 0, 0]);
  });

  it('compares int64 beyond 2^53 exactly', () => {
    const ids = BigInt64Array.from([2n ** 60n, 2n ** 60n + 1n]);
    expect(maskOf(ids, { column: 'id', max: 2 ** 60 })).toEqual([1, 0]);
  });
});

describe('compact', () => {
  const mask = Uint8Array.from([1, 0, 1]);

  it('keeps the masked rows of any width and dtype, bit for bit', () => {
    expect(valuesOf(compact(Int16Array.from([1, -2, 3]), 1, mask, 2))).toEqual([1, 3]);
    expect(valuesOf(compact(Float64Array.from([1, 2, 3, 4, 5, 6]), 2, mask, 2))).toEqual([1, 2, 5, 6]);
    const big = compact(BigUint64Array.from([2n ** 64n - 1n, 0n, 7n]), 1, mask, 2);
    expect(big).toBeInstanceOf(BigUint64Array);
    expect(valuesOf(big)).toEqual([2n ** 64n - 1n, 7n]);
    expect(valuesOf(compact(Uint8Array.from([9, 8, 7]), 1, mask, 2))).toEqual([9, 7]);
  });
});

describe('filterBatch', () => {
  const bounds = [toBounds({ column: 'x', min: 2 })];

  it('keeps passing rows and counts kept history', () => {
    const batch = makeBatch(
      { x: Float32Array.from([5, 0, 3, 1, 4]), y: Int32Array.from([1, 2, 3, 4, 5]) },
      { history: 2 },
    );
    const out = filterBatch(batch, bounds)!;
    expect([out.rows, out.history, out.start]).toEqual([3, 1, 0]);
    expect(valuesOf(out.columns.y.data)).toEqual([1, 3, 5]);
  });

  it('gives the batch itself when every row passes, null when no new row does', () => {
    const all = makeBatch({ x: Float64Array.from([2, 3]) });
    expect(filterBatch(all, bounds)).toBe(all);
    expect(filterBatch(makeBatch({ x: Float64Array.from([9, 1]) }, { history: 1 }), bounds)).toBeNull();
    expect(() => filterBatch(makeBatch({ y: Float64Array.from([1]) }), bounds)).toThrow(/no column 'x'/);
  });
});
