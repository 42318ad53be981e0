import { describe, expect, it } from 'vitest';
import type { TypedArray } from '../../src/core/dtype.ts';
import type { ExactMomentsResult } from '../../src/stats/exact-moments.ts';
import { ExactMoments } from '../../src/stats/exact-moments.ts';
import type { Random, Reference } from './exact-oracle.ts';
import { isCorrectlyRounded, mergeRandomly, pieces, randomInt, referenceOf, seeded } from './exact-oracle.ts';

// fast-check is not installed: the properties run over seeded pseudo-random data instead.

const PIECE_SIZES = [1, 7, 4096, 65537, Infinity, 0]; // 0: random sizes

function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function randomBits64(random: Random): bigint {
  return (BigInt(randomInt(random, 2 ** 32)) << 32n) | BigInt(randomInt(random, 2 ** 32));
}

/** Named data sets, each built from its own seed. */
const DATA: Record<string, (random: Random) => TypedArray> = {
  'float32 noise': (r) => Float32Array.from({ length: 70_001 }, () => gaussian(r)),
  'float32 drift': (r) =>
    Float32Array.from({ length: 150_000 }, (_, i) => 1.5 + i * 1e-7 + 1e-3 * gaussian(r)),
  'float32 huge and tiny': (r) =>
    Float32Array.from({ length: 20_000 }, () => {
      const kind = randomInt(r, 4);
      if (kind === 0) return (r() - 0.5) * 6.8e38;
      if (kind === 1) return randomInt(r, 2 ** 23) * 2 ** -149 * (r() < 0.5 ? -1 : 1);
      return kind === 2 ? (r() < 0.5 ? 0 : -0) : gaussian(r) * 2 ** randomInt(r, 60);
    }),
  // Few exponents, each with many values: a row the kernel forgot would change the result.
  'float32 negative': (r) => Float32Array.from({ length: 30_000 }, () => -0.5 - 1.5 * r()),
  // Below 2^-138 the high part of x² rounds to 0: the kernel must still empty those bins.
  'float32 tiny subnormals and zeros': (r) =>
    Float32Array.from({ length: 20_000 }, () =>
      r() < 0.2 ? 0 : (r() < 0.5 ? -1 : 1) * randomInt(r, 2048) * 2 ** -149,
    ),
  'float32 NaN and +inf': (r) =>
    Float32Array.from({ length: 10_000 }, () => (r() < 0.01 ? NaN : r() < 0.001 ? Infinity : gaussian(r))),
  'float32 both infinities': (r) =>
    Float32Array.from({ length: 10_000 }, (_, i) => (i === 17 ? Infinity : i === 9000 ? -Infinity : r())),
  'float32 constant': () => new Float32Array(100_003).fill(0.1),
  'float32 empty': () => new Float32Array(0),
  'float64 offset noise': (r) => Float64Array.from({ length: 70_001 }, () => 1e8 + gaussian(r)),
  'float64 huge': (r) =>
    Float64Array.from({ length: 20_000 }, () => (r() < 0.5 ? -1 : 1) * 1e300 * (1 + r()) + gaussian(r)),
  'float64 tiny': (r) =>
    Float64Array.from({ length: 20_000 }, () =>
      r() < 0.3 ? randomInt(r, 2 ** 20) * 5e-324 : r() < 0.5 ? -0 : 1e-300 * gaussian(r),
    ),
  'float64 every magnitude': (r) =>
    Float64Array.from({ length: 30_000 }, () => (r() - 0.5) * 2 ** (randomInt(r, 2098) - 1074)),
  'float64 cancelling': (r) =>
    Float64Array.from({ length: 30_000 }, (_, i) => (i % 3 === 2 ? gaussian(r) : (i % 3 ? -1 : 1) * 1e200)),
  'float64 NaN and -inf': (r) =>
    Float64Array.from({ length: 10_000 }, () => (r() < 0.01 ? NaN : r() < 0.001 ? -Infinity : r())),
  'float64 constant': () => new Float64Array(70_000).fill(-1 / 3),
  int8: (r) => Int8Array.from({ length: 30_000 }, () => randomInt(r, 256) - 128),
  uint16: (r) => Uint16Array.from({ length: 30_000 }, () => randomInt(r, 65536)),
  int32: (r) => Int32Array.from({ length: 150_000 }, () => randomInt(r, 2 ** 32) - 2 ** 31),
  uint32: (r) => Uint32Array.from({ length: 70_000 }, () => randomInt(r, 2 ** 32)),
  'int32 constant': () => new Int32Array(70_000).fill(-(2 ** 31)),
  int64: (r) => BigInt64Array.from({ length: 70_000 }, () => BigInt.asIntN(64, randomBits64(r))),
  'int64 near 2^53': (r) => BigInt64Array.from({ length: 70_000 }, () => 2n ** 53n + BigInt(randomInt(r, 7))),
  uint64: (r) => BigUint64Array.from({ length: 70_000 }, () => randomBits64(r)),
  'uint64 constant': () => new BigUint64Array(5000).fill(2n ** 64n - 1n),
  'int64 empty': () => new BigInt64Array(0),
};

function momentsOf(data: TypedArray): ExactMomentsResult {
  const moments = new ExactMoments();
  moments.add(data);
  return moments.result();
}

/** Min and max in the total order (-0 before +0), NaN excluded; ±Infinity when there is none. */
function extremesOf(values: ArrayLike<number | bigint>): [number | bigint, number | bigint] {
  let min: number | bigint = Infinity;
  let max: number | bigint = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    if (v < min || (v === 0 && min === 0 && Object.is(v, -0))) min = v;
    if (v > max || (v === 0 && max === 0 && Object.is(v, 0))) max = v;
  }
  return [min, max];
}

/** Checks the results against the exact reference: mean and std correctly rounded. */
function expectExact(result: ExactMomentsResult, ref: Reference, values: ArrayLike<number | bigint>): void {
  expect(result.count).toBe(ref.count);
  expect(result.nanCount).toBe(ref.nanCount);
  const [min, max] = extremesOf(values);
  expect(Object.is(result.min, min) || result.min === min, `min ${result.min} vs ${min}`).toBe(true);
  expect(Object.is(result.max, max) || result.max === max, `max ${result.max} vs ${max}`).toBe(true);
  if (ref.count === 0) return void expect([result.mean, result.std]).toEqual([NaN, NaN]);
  if (ref.posInf > 0 || ref.negInf > 0) {
    const mean = ref.posInf > 0 && ref.negInf > 0 ? NaN : ref.posInf > 0 ? Infinity : -Infinity;
    return void expect([result.mean, result.std]).toEqual([mean, NaN]);
  }
  const n = BigInt(ref.count);
  expect(isCorrectlyRounded(result.mean, ref.sum, ref.sumExponent, n), `mean ${result.mean}`).toBe(true);
  // n·Σx² − (Σx)², both over 2^-2148.
  const spread = n * ref.squares - ref.sum * ref.sum;
  expect(isCorrectlyRounded(result.std, spread, ref.squaresExponent, n, true), `std ${result.std}`).toBe(
    true,
  );
}

/** Bitwise equality of every field (Object.is tells -0 from +0 and NaN from NaN). */
function expectSameBits(actual: ExactMomentsResult, expected: ExactMomentsResult, label: string): void {
  for (const key of Object.keys(expected) as (keyof ExactMomentsResult)[]) {
    const same = Object.is(actual[key], expected[key]) || actual[key] === expected[key];
    expect(same, `${label}: ${key} ${String(actual[key])} vs ${String(expected[key])}`).toBe(true);
  }
}

/** The data cut into pieces, the pieces spread over shards, the shards merged at random. */
function shardedMoments(data: TypedArray, size: number, random: Random): ExactMomentsResult {
  const cuts = pieces(data.length, size, random);
  const shardCount = 1 + randomInt(random, Math.min(8, cuts.length || 1));
  const shards = Array.from({ length: shardCount }, () => new ExactMoments());
  cuts.forEach(([start, end], k) => {
    shards[Math.floor((k * shardCount) / cuts.length)].add(data.subarray(start, end));
  });
  // Some shards travel as a structured clone of their state, as between worker threads.
  const sent = shards.map((shard) =>
    random() < 0.5 ? ExactMoments.fromState(structuredClone(shard.toState())) : shard,
  );
  return mergeRandomly(sent, (into, other) => into.merge(other), random).result();
}

describe('ExactMoments', () => {
  describe.each(Object.keys(DATA))('%s', (name) => {
    const data = DATA[name](seeded(name.length * 7919 + name.charCodeAt(0)));
    const values = Array.from(data as ArrayLike<number | bigint>);
    const whole = momentsOf(data);

    it('gives the correctly rounded mean and std of the exact values', () => {
      expectExact(whole, referenceOf(values), values);
    });

    it.each(PIECE_SIZES)('gives the same bits cut into pieces of %d, merged in any order', (size) => {
      const random = seeded(size + data.length);
      for (let trial = 0; trial < 3; trial++) {
        expectSameBits(shardedMoments(data, Math.min(size, data.length), random), whole, `trial ${trial}`);
      }
    });
  });

  it('is exact for np.linspace(-1, 1.002, 2**21).astype(float32)', () => {
    const n = 2 ** 21;
    const [start, stop] = [-1, 1.002];
    const step = (stop - start) / (n - 1);
    const data = Float32Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : i * step + start));
    const values = Array.from(data);
    const whole = momentsOf(data);
    expectExact(whole, referenceOf(values), values);
    const random = seeded(2024);
    for (const size of [4096, 65537, 2 ** 20, 0])
      expectSameBits(shardedMoments(data, size, random), whole, `${size}`);
  });

  it('uses int64 values exactly, not their nearest doubles', () => {
    // Doubles near 2^60 are 256 apart: as doubles the values are 2^60, 2^60, 2^60 + 256, whose mean
    // rounds to 2^60; the exact mean, 2^60 + 133.3, rounds to 2^60 + 256.
    const data = BigInt64Array.from([2n ** 60n + 120n, 2n ** 60n + 120n, 2n ** 60n + 160n]);
    expect(momentsOf(data).mean).toBe(2 ** 60 + 256);
    expect(momentsOf(data).min).toBe(2n ** 60n + 120n);
  });

  it('gives +0 for an exact zero mean and std 0 for a constant column', () => {
    const result = momentsOf(new Float64Array([-0, -0, 1.5, -1.5]));
    expect(Object.is(result.mean, 0)).toBe(true);
    expect(Object.is(result.min, -1.5) && Object.is(momentsOf(new Float32Array([-0, 0])).min, -0)).toBe(true);
    expect(momentsOf(new Float32Array(9).fill(3e38)).std).toBe(0);
    expect(momentsOf(new Float64Array(9).fill(1e300))).toMatchObject({ mean: 1e300, std: 0 });
  });

  it.each([0, 1, 2, 3])('leaves nothing behind for the next accumulator (large values at %i mod 4)', (at) => {
    // The kernels bin through shared scratch arrays that must be empty after every call, whatever
    // element of a group (of two or four) a value's exponent shows up in. Lost or leftover values
    // of any of the three magnitudes would change the correctly rounded results.
    for (const make of [(n: number) => new Float64Array(n), (n: number) => new Float32Array(n)]) {
      const first = make(5001).map((_, i) =>
        i % 4 === at ? 3e6 + i : i % 4 === (at + 2) % 4 ? 1e-3 * i : 1 + i,
      );
      const second = make(4099).map((_, i) => 0.5 + i);
      for (const data of [first, second]) {
        const values = Array.from(data);
        expectExact(momentsOf(data), referenceOf(values), values);
      }
    }
  });

  it('survives a JSON-free state round trip with the same bits, and merges empty states', () => {
    const data = DATA['float64 every magnitude'](seeded(5));
    const moments = new ExactMoments();
    moments.add(data);
    const copy = ExactMoments.fromState(structuredClone(moments.toState()));
    copy.merge(new ExactMoments());
    expectSameBits(copy.result(), moments.result(), 'state');
    expect(JSON.parse(JSON.stringify(moments.toState().sum))).toEqual(moments.toState().sum);
  });

  it.each([
    ['float32', new Float32Array(2 ** 21).fill(2 - 2 ** -23), 129],
    ['float64', new Float64Array(2 ** 21).fill(2 - 2 ** -52), 33],
  ] as const)('%s: stays exact across the kernel flush limit', (_, data, passes) => {
    // More values than the kernel keeps in its bins between flushes (2^28 float32, 2^26 float64).
    const moments = new ExactMoments();
    for (let pass = 0; pass < passes; pass++) moments.add(data);
    expect(moments.count).toBe(passes * 2 ** 21);
    expect([moments.mean(), moments.std()]).toEqual([data[0], 0]);
  });
});
