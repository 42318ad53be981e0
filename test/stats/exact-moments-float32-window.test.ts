/**
 * The float32 window path (src/stats/exact-moments-float32-window.ts): data made to move the
 * window up and down, to sit on its edges and at the bounds its exactness argument relies on,
 * and to make it give up to the scatter kernel. Every result is checked against the BigInt
 * oracle and for the same bits however the values are cut.
 */
import { describe, expect, it } from 'vitest';
import type { ExactMomentsResult } from '../../src/stats/exact-moments.ts';
import { ExactMoments } from '../../src/stats/exact-moments.ts';
import type { Random } from './exact-oracle.ts';
import { isCorrectlyRounded, pieces, randomInt, referenceOf, seeded } from './exact-oracle.ts';

const BLOCK = 2 ** 16;

/** The float32 of these bits. */
function fromBits(bits: number): number {
  return new Float32Array(new Int32Array([bits]).buffer)[0];
}

/** ±(1 + m·2^-23)·2^(e−127), e the biased exponent (1..254), m the 23-bit mantissa. */
function float32Of(e: number, m: number, negative = false): number {
  return fromBits((negative ? 0x80000000 : 0) | (e << 23) | m);
}

const DATA: Record<string, (r: Random) => Float32Array> = {
  // Zero crossings: a few groups below the window in every block.
  'sine crossing zero': (r) =>
    Float32Array.from({ length: 300_001 }, (_, i) => 1.3 * Math.sin(i * 0.01) + 1e-3 * (r() - 0.5)),
  // The window rises again and again, inside blocks and across them.
  'rising magnitudes': (r) =>
    Float32Array.from({ length: 200_003 }, (_, i) => (1 + r()) * 2 ** (Math.floor(i / 5000) - 20)),
  // Everything falls below the window: the path gives up, then starts again lower.
  'falling magnitudes': (r) =>
    Float32Array.from({ length: 200_003 }, (_, i) => (r() - 0.5) * 2 ** (20 - Math.floor(i / 3000))),
  // On the window's edges: the top exponent, the lowest inside (high − 12), the first outside.
  'window edges': (r) =>
    Float32Array.from({ length: 3 * BLOCK + 5 }, () => {
      const e = [200, 200, 188, 187][randomInt(r, 4)];
      return float32Of(e, randomInt(r, 2 ** 23) | 1, r() < 0.5);
    }),
  // The largest sums the bounds allow: full mantissas at the top and the bottom of the window,
  // all of one sign, blocks of exactly 2^16 values.
  'largest window sums': (r) =>
    Float32Array.from({ length: 4 * BLOCK }, () =>
      r() < 0.5 ? float32Of(254, 0x7fffff) : float32Of(242, 0x7fffff - 2 * randomInt(r, 1000)),
    ),
  'near the float32 limits': (r) =>
    Float32Array.from({ length: 100_000 }, () =>
      float32Of(240 + randomInt(r, 15), randomInt(r, 2 ** 23), r() < 0.5),
    ),
  // The window's low end clamps at exponent 1; subnormals and zeros stay outside it.
  'small normals and subnormals': (r) =>
    Float32Array.from({ length: 100_000 }, () =>
      r() < 0.05
        ? randomInt(r, 2 ** 23) * 2 ** -149
        : float32Of(1 + randomInt(r, 14), randomInt(r, 2 ** 23), r() < 0.5),
    ),
  // Half zeros: the path gives up to the scatter kernel in every call.
  'half zeros': (r) =>
    Float32Array.from({ length: 150_000 }, () => (r() < 0.5 ? (r() < 0.5 ? 0 : -0) : r() + 0.5)),
  'NaN and infinities now and then': (r) =>
    Float32Array.from({ length: 150_000 }, (_, i) =>
      i % 997 === 0 ? NaN : i === 70_000 ? Infinity : i === 80_000 ? -Infinity : r() * 3 - 1,
    ),
  'one NaN every 100': (r) =>
    Float32Array.from({ length: 150_000 }, (_, i) => (i % 100 === 0 ? NaN : r() + 1)),
};

function momentsOf(data: Float32Array, size: number, random: Random): ExactMomentsResult {
  const moments = new ExactMoments();
  for (const [start, end] of pieces(data.length, size, random)) moments.add(data.subarray(start, end));
  return moments.result();
}

function sameBits(a: ExactMomentsResult, b: ExactMomentsResult): boolean {
  return (Object.keys(a) as (keyof ExactMomentsResult)[]).every(
    (k) => Object.is(a[k], b[k]) || a[k] === b[k],
  );
}

/** min and max in the total order (-0 before +0), NaN excluded. */
function extremesOf(data: Float32Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    if (v !== v) continue;
    if (v < min || (v === 0 && min === 0 && Object.is(v, -0))) min = v;
    if (v > max || (v === 0 && max === 0 && Object.is(v, 0))) max = v;
  }
  return [min, max];
}

/** mantissa · 2^exponent as a multiple of 2^unit (unit ≤ exponent). */
function scaledTo(value: { mantissa: bigint; exponent: number }, unit: number): bigint {
  return value.mantissa << BigInt(value.exponent - unit);
}

/** The exact Σx and Σx² themselves, not only their rounded quotients. */
function expectExactSums(moments: ExactMoments, data: Float32Array): void {
  const ref = referenceOf(data);
  const { sum, sumOfSquares } = moments.exactSums();
  expect(scaledTo(sum.finite(), ref.sumExponent)).toBe(ref.sum);
  expect(scaledTo(sumOfSquares.finite(), ref.squaresExponent)).toBe(ref.squares);
}

function expectExact(result: ExactMomentsResult, data: Float32Array): void {
  const ref = referenceOf(data);
  expect([result.count, result.nanCount]).toEqual([ref.count, ref.nanCount]);
  const [min, max] = extremesOf(data);
  expect(Object.is(result.min, min), `min ${result.min} vs ${min}`).toBe(true);
  expect(Object.is(result.max, max), `max ${result.max} vs ${max}`).toBe(true);
  if (ref.posInf > 0 || ref.negInf > 0) return void expect(result.std).toBeNaN();
  const n = BigInt(ref.count);
  expect(isCorrectlyRounded(result.mean, ref.sum, ref.sumExponent, n), `mean ${result.mean}`).toBe(true);
  const spread = n * ref.squares - ref.sum * ref.sum;
  expect(isCorrectlyRounded(result.std, spread, ref.squaresExponent, n, true), `std ${result.std}`).toBe(
    true,
  );
}

describe('ExactMoments, float32 window path', () => {
  describe.each(Object.keys(DATA))('%s', (name) => {
    const data = DATA[name](seeded(name.length * 104729 + name.charCodeAt(1)));
    const whole = momentsOf(data, Infinity, seeded(1));

    it('gives the correctly rounded mean and std, and the exact extremes', () => {
      expectExact(whole, data);
    });

    it('keeps Σx and Σx² exactly', () => {
      const moments = new ExactMoments();
      moments.add(data);
      expectExactSums(moments, data);
    });

    it.each([1, 257, 4096, BLOCK - 1, BLOCK + 3, 0])(
      'gives the same bits in pieces of %i (0: random)',
      (size) => {
        expect(sameBits(momentsOf(data, size, seeded(size + 5)), whole)).toBe(true);
      },
    );
  });

  it('keeps each accumulator exact when accumulators of different magnitudes take turns', () => {
    const random = seeded(99);
    const big = Float32Array.from({ length: 5 * BLOCK }, () => 1e30 * (1 + random()));
    const small = Float32Array.from({ length: 5 * BLOCK }, () => 1e-30 * (random() - 0.5));
    const a = new ExactMoments();
    const b = new ExactMoments();
    for (let start = 0; start < big.length; start += 10_000) {
      a.add(big.subarray(start, start + 10_000));
      b.add(small.subarray(start, start + 10_000));
    }
    expectExactSums(a, big);
    expectExactSums(b, small);
  });
});
