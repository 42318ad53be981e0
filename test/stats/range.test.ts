import { describe, expect, it } from 'vitest';
import {
  combineRanges,
  EMPTY_RANGE,
  isValueRange,
  PairRangeAccumulator,
  rangeOf,
  RangeAccumulator,
} from '../../src/stats/range.ts';
import { makeBatch } from '../support/batches.ts';

describe('min/max ranges', () => {
  it('keeps the finite values only, exact for 64-bit integers', () => {
    expect(rangeOf(new Float32Array([NaN, 2, -Infinity, -1, Infinity]))).toEqual({
      count: 2,
      min: -1,
      max: 2,
    });
    expect(rangeOf(new Float64Array([NaN, Infinity]))).toBe(EMPTY_RANGE);
    expect(rangeOf(new Int16Array([5, -7, 3]))).toEqual({ count: 3, min: -7, max: 5 });
    expect(rangeOf(new BigInt64Array([2n ** 62n + 1n, -3n]))).toEqual({
      count: 2,
      min: -3n,
      max: 2n ** 62n + 1n,
    });
  });

  it('combines ranges, an empty one changing nothing', () => {
    const a = { count: 2, min: 0, max: 4 };
    expect(combineRanges(a, { count: 1, min: -1, max: 1 })).toEqual({ count: 3, min: -1, max: 4 });
    expect(combineRanges(EMPTY_RANGE, a)).toBe(a);
    expect(combineRanges(a, EMPTY_RANGE)).toBe(a);
  });

  it('accumulates new rows of one or two columns and merges', () => {
    const batch = makeBatch(
      { x: new Float64Array([9, 1, 2]), y: new Int32Array([-9, 5, 6]) },
      { history: 1 },
    );
    const one = new RangeAccumulator('x');
    one.add(batch);
    expect(one.result()).toEqual({ count: 2, min: 1, max: 2 });
    const pair = new PairRangeAccumulator('x', 'y');
    const other = new PairRangeAccumulator('x', 'y');
    pair.add(batch);
    other.add(makeBatch({ x: new Float64Array([7]), y: new Int32Array([0]) }));
    pair.merge(other);
    expect(pair.result()).toEqual([
      { count: 3, min: 1, max: 7 },
      { count: 3, min: 0, max: 6 },
    ]);
  });

  it('recognises a range handed over as `ctx.prepared`', () => {
    expect(isValueRange({ count: 0, min: null, max: null })).toBe(true);
    expect(isValueRange({ count: 2, min: 1n, max: 3n })).toBe(true);
    expect(isValueRange({ count: 2, min: null, max: 3 })).toBe(false);
    expect(isValueRange(undefined)).toBe(false);
  });
});
