/**
 * BlockSumVector: the same bits however the rows are split and merged (any grouping, any order,
 * through structured-cloned states), and the value it promises: the correctly rounded sum of
 * the plain float64 folds of each aligned block of BLOCK_ROWS rows.
 */
import { describe, expect, it } from 'vitest';
import { BLOCK_ROWS, BlockSumVector } from '../../src/stats/block-sum-vector.ts';
import type { Random } from './exact-oracle.ts';
import { isCorrectlyRounded, mergeRandomly, pieces, randomInt, referenceOf, seeded } from './exact-oracle.ts';

const LANES = 5;

/** Rows of LANES values: positive, of widely different sizes (as periodograms are). */
function rowsOf(count: number, random: Random): Float64Array[] {
  return Array.from({ length: count }, () =>
    Float64Array.from({ length: LANES }, () => random() * 2 ** (randomInt(random, 80) - 40)),
  );
}

function vectorOf(rows: Float64Array[], first: number, end: number, viaAccumulator: boolean): BlockSumVector {
  const vector = new BlockSumVector(LANES);
  for (let r = first; r < end; r++) {
    if (!viaAccumulator) {
      vector.add(r, rows[r]);
      continue;
    }
    const target = vector.accumulatorFor(r);
    if (target) for (let k = 0; k < LANES; k++) target[k] += rows[r][k];
    else vector.rowFor(r).set(rows[r]);
    vector.commit();
  }
  return vector;
}

/** Lane k of every block folded from 0 in row order, as the promised intermediate values. */
function blockFolds(rows: Float64Array[], lane: number): number[] {
  const folds: number[] = [];
  for (let start = 0; start < rows.length; start += BLOCK_ROWS) {
    let sum = 0;
    for (let r = start; r < Math.min(rows.length, start + BLOCK_ROWS); r++) sum += rows[r][lane];
    folds.push(sum);
  }
  return folds;
}

const bitsOf = (x: Float64Array): string[] => Array.from(x, (v) => (Object.is(v, -0) ? '-0' : String(v)));

describe('BlockSumVector', () => {
  it('is the correctly rounded sum of the aligned blocks folded in row order', () => {
    const random = seeded(7);
    const rows = rowsOf(16 * 9 + 5, random);
    const sums = vectorOf(rows, 0, rows.length, true).sums();
    for (let lane = 0; lane < LANES; lane++) {
      const ref = referenceOf(blockFolds(rows, lane));
      expect(isCorrectlyRounded(sums[lane], ref.sum, ref.sumExponent, 1n)).toBe(true);
    }
  });

  it('gives the same bits for every split into pieces, merged in any grouping and order, via states', () => {
    const random = seeded(11);
    const rows = rowsOf(16 * 7 + 3, random);
    const reference = bitsOf(vectorOf(rows, 0, rows.length, true).sums());
    for (const size of [1, 3, 15, 16, 17, 40, 0, 0, 0, 0]) {
      const parts = pieces(rows.length, size, random).map(([from, to], i) =>
        vectorOf(rows, from, to, i % 2 === 0),
      );
      const merged = mergeRandomly(
        parts,
        (into, other) => into.merge(coin(random) ? other : structuredClone(other.toState())),
        random,
      );
      expect(bitsOf(merged.sums())).toEqual(reference);
      // A state round trip keeps everything, the pending blocks included.
      expect(bitsOf(BlockSumVector.fromState(structuredClone(merged.toState())).sums())).toEqual(reference);
    }
  });

  it('starts anywhere: rows numbered from a block middle, and rows after a merge', () => {
    const random = seeded(3);
    const rows = rowsOf(60, random);
    const reference = bitsOf(vectorOf(rows, 5, 60, true).sums());
    const left = vectorOf(rows, 5, 21, false);
    left.merge(vectorOf(rows, 21, 37, true));
    for (let r = 37; r < 60; r++) left.add(r, rows[r]);
    expect(bitsOf(left.sums())).toEqual(reference);
  });

  it('keeps NaN and infinities, and refuses mismatched lanes', () => {
    const vector = new BlockSumVector(2);
    vector.add(0, [1, Infinity]);
    vector.add(1, [NaN, 2]);
    const [a, b] = vector.sums();
    expect(a).toBeNaN();
    expect(b).toBe(Infinity);
    expect(() => vector.add(2, [1])).toThrow(/expected 2 values/);
    expect(() => vector.merge(new BlockSumVector(3))).toThrow(/cannot merge 3 lanes/);
  });
});

function coin(random: Random): boolean {
  return random() < 0.5;
}
