import { describe, expect, it } from 'vitest';
import { ExactSum } from '../../src/stats/exact-sum.ts';
import { ExactSumVector } from '../../src/stats/exact-sum-vector.ts';
import type { Random } from './exact-oracle.ts';
import {
  isCorrectlyRounded,
  mergeRandomly,
  nextDown,
  nextUp,
  pieces,
  randomInt,
  referenceOf,
  seeded,
} from './exact-oracle.ts';

// fast-check is not installed: the properties run over seeded pseudo-random data instead.

/** A double of any magnitude, subnormals and the largest included, either sign. */
function anyDouble(random: Random): number {
  return (random() - 0.5) * 2 ** (randomInt(random, 2099) - 1074);
}

function sumOf(values: ArrayLike<number>): ExactSum {
  const sum = new ExactSum();
  for (let i = 0; i < values.length; i++) sum.add(values[i]);
  return sum;
}

/** The exact sum of the finite values, and how an IEEE sum of all of them would come out. */
function expectedSum(values: ArrayLike<number>): { sum: bigint; special?: number } {
  const ref = referenceOf(values);
  const special =
    ref.nanCount > 0 || (ref.posInf > 0 && ref.negInf > 0)
      ? NaN
      : ref.posInf > 0
        ? Infinity
        : ref.negInf > 0
          ? -Infinity
          : undefined;
  return { sum: ref.sum, special };
}

describe('ExactSum', () => {
  const random = seeded(17);
  const cases: Record<string, number[]> = {
    'every magnitude': Array.from({ length: 3000 }, () => anyDouble(random)),
    'cancelling pairs': Array.from(
      { length: 2000 },
      (_, i) => (i % 2 ? -1 : 1) * 2 ** (i % 97) * (1 + 2 ** -52),
    ),
    'near the top': Array.from({ length: 100 }, () => 1.7e308 * random()),
    subnormals: Array.from({ length: 1000 }, () => randomInt(random, 2 ** 30) * 5e-324 * (random() - 0.3)),
    'with NaN': [1, NaN, 2],
    'with both infinities': [1, Infinity, -Infinity],
    'with -Infinity': [1, -Infinity, 1e308],
  };

  it.each(Object.keys(cases))('%s: correctly rounded sum and quotients', (name) => {
    const values = cases[name];
    const { sum, special } = expectedSum(values);
    const exact = sumOf(values);
    if (special !== undefined) {
      expect(exact.toNumber()).toBe(special);
      return void expect(exact.roundedDivide(3)).toBe(special);
    }
    const total = exact.toNumber();
    expect(isCorrectlyRounded(total, sum, -1074, 1n), `${total}`).toBe(true);
    // The oracle itself rejects the neighbours of the right answer (unless it is infinite).
    if (Number.isFinite(total)) expect(isCorrectlyRounded(nextUp(total), sum, -1074, 1n)).toBe(false);
    for (const count of [1, 3, 10, 2 ** 40 + 1]) {
      const quotient = exact.roundedDivide(count);
      expect(isCorrectlyRounded(quotient, sum, -1074, BigInt(count)), `/${count}: ${quotient}`).toBe(true);
    }
  });

  it.each(Object.keys(cases))('%s: same state whatever the split and merge order', (name) => {
    const values = cases[name];
    const whole = sumOf(values).toState();
    const shuffle = seeded(name.length);
    for (const size of [1, 7, 100, 0]) {
      const parts = pieces(values.length, size, shuffle).map(([s, e]) => sumOf(values.slice(s, e)));
      const sent = parts.map((p) => ExactSum.fromState(JSON.parse(JSON.stringify(p.toState()))));
      expect(mergeRandomly(sent, (a, b) => a.merge(b), shuffle).toState()).toEqual(whole);
    }
  });

  it('rounds ties to even and never loses a far-away bit', () => {
    expect(sumOf([1, 2 ** -53]).toNumber()).toBe(1);
    expect(sumOf([1, 2 ** -53, 5e-324]).toNumber()).toBe(nextUp(1));
    expect(sumOf([nextUp(1), 2 ** -53]).toNumber()).toBe(nextUp(nextUp(1)));
    expect(sumOf([1e308, 1e308]).toNumber()).toBe(Infinity);
    expect(sumOf([1e308, 1e308]).roundedDivide(2)).toBe(1e308);
    expect(sumOf([1e300, 1, -1e300]).toNumber()).toBe(1);
    expect(sumOf([0.1, 0.2, -0.3]).toNumber()).toBe(2 ** -55);
    expect(sumOf([-1, 2 ** -54]).toNumber()).toBe(-1);
    expect(sumOf([-1, 2 ** -54, 2 ** -1000]).toNumber()).toBe(nextUp(-1));
    expect(sumOf([-1, -(2 ** -54)]).toNumber()).toBe(-1);
    expect(nextDown(-1)).toBeLessThan(-1);
  });

  it('subtracts and compares exactly, keeping non-finite counts apart', () => {
    const a = sumOf([1e300, 3, -1e300, Infinity]);
    const b = sumOf([3]);
    expect(a.compareFinite(b)).toBe(0);
    expect(a.hasNonFinite()).toBe(true);
    a.subtractFinite(b);
    expect(a.finite().mantissa).toBe(0n);
    expect(a.toNumber()).toBe(Infinity);
    expect(sumOf([2 ** -1074]).compareFinite(sumOf([]))).toBe(1);
  });
});

describe('ExactSumVector', () => {
  const LANES = 2049;

  /** Periodogram-like rows: positive, each lane with its own scale; a few awkward lanes. */
  function rows(count: number, random: Random): Float64Array[] {
    const scale = Float64Array.from({ length: LANES }, () => 10 ** (20 * random() - 10));
    return Array.from({ length: count }, (_, r) =>
      Float64Array.from({ length: LANES }, (_, k) => {
        if (k === 0) return anyDouble(random); // every magnitude: spills
        if (k === 1) return r === 5 ? NaN : random();
        if (k === 2) return r % 3 ? 1e-30 * random() : 1e30 * random(); // wide range in one lane
        if (k === 3) return r === 0 ? 1e300 : random(); // one huge value raises the unit early
        if (k === 4) return (random() - 0.5) * 2 ** 990; // beyond the top level: spills
        if (k === 5) return r % 2 ? 5e-324 * randomInt(random, 1000) : 0;
        if (k === 6) return r === 0 ? 1e30 : r === 1 ? -1e30 : 1e-30 * random(); // tiny after cancelling
        return -scale[k] * Math.log(1 - random());
      }),
    );
  }

  function expectLanesExact(sums: Float64Array, data: Float64Array[]): void {
    for (let k = 0; k < LANES; k++) {
      const { sum, special } = expectedSum(data.map((row) => row[k]));
      if (special !== undefined) expect(sums[k]).toBe(special);
      else expect(isCorrectlyRounded(sums[k], sum, -1074, 1n), `lane ${k}: ${sums[k]}`).toBe(true);
    }
  }

  it('sums every lane exactly, correctly rounded', () => {
    const data = rows(300, seeded(3));
    const vector = new ExactSumVector(LANES);
    for (const row of data) vector.add(row);
    expectLanesExact(vector.sums(), data);
    const means = vector.roundedDivide(data.length);
    expect(means[100]).toBe(vector.laneSum(100).roundedDivide(300));
  });

  it('gives the same bits whatever the split and merge order, through cloned states', () => {
    const data = rows(200, seeded(4));
    const whole = new ExactSumVector(LANES);
    for (const row of data) whole.add(row);
    const random = seeded(5);
    for (const size of [1, 7, 64, 0]) {
      const shards = pieces(data.length, size, random).map(([s, e]) => {
        const vector = new ExactSumVector(LANES);
        for (const row of data.slice(s, e)) vector.add(row);
        return ExactSumVector.fromState(structuredClone(vector.toState()));
      });
      const merged = mergeRandomly(shards, (a, b) => a.merge(b), random);
      expect(merged.sums()).toEqual(whole.sums());
      expect(merged.roundedDivide(7)).toEqual(whole.roundedDivide(7));
    }
  });

  it('stays exact over millions of adds (carries, and the top level outgrowing its unit)', () => {
    // Values just below a lane's top fill its top level fastest; low bits exercise the others.
    const random = seeded(6);
    const lanes = 3;
    const vector = new ExactSumVector(lanes);
    const columns = Array.from({ length: lanes }, () => [] as number[]);
    const row = new Float64Array(lanes);
    for (let r = 0; r < 2 ** 21 + 5; r++) {
      row[0] = 2 ** 46 * (1 - random() * 2 ** -20);
      row[1] = 1 + random();
      row[2] = r % 1000 === 0 ? 1e20 : random() * 2 ** -40;
      vector.add(row);
      row.forEach((x, k) => columns[k].push(x));
    }
    const sums = vector.sums();
    columns.forEach((column, k) => {
      const { sum } = expectedSum(column);
      expect(isCorrectlyRounded(sums[k], sum, -1074, 1n), `lane ${k}`).toBe(true);
    });
  });

  it('keeps a lane small: the usual data never needs its exact spill store', () => {
    const vector = new ExactSumVector(4);
    const random = seeded(7);
    for (let r = 0; r < 10_000; r++) vector.add(Float64Array.from({ length: 4 }, () => 1e-3 * random()));
    const state = vector.toState();
    expect(state.spills).toEqual([]);
    expect(state.levels.length + state.units.length).toBe(4 * 5);
    expect(() => vector.add(new Float64Array(3))).toThrow(/expected 4 values/);
  });
});
