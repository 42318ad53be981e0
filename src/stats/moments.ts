/**
 * Count, mean, sum of squared deviations (M2), min and max of a block of values, and Chan et
 * al.'s formula to combine two blocks. Per block: one pass for the sum, one for the
 * deviations from the block mean (with Björck's correction term, which repairs the mean's
 * rounding at the cost of one addition). Across blocks: Chan's pairwise update, so there is
 * no division per sample (Welford) and blocks can be combined in any grouping.
 *
 * The mean is carried as two doubles (`mean` + `meanLo`). Chan's update squares the difference
 * of two block means; rounded to ulp(mean), that difference would lose the digits of data with
 * a large offset (1e8 ± 1), a little more at every combination, so the result would depend on
 * the chunk size. Kept exact to twice double precision, it does not.
 *
 * Everything accumulates in float64, for every dtype: int64 values enter as the nearest
 * double, as numpy's mean/std of an int64 array do; min and max of int64 stay exact bigints.
 * Up-to-32-bit integers are summed exactly.
 */
import type { TypedArray } from '../core/dtype.ts';
import type { BigIntArray, FloatArray, IntArray } from './numeric.ts';
import {
  HI_WORD,
  isBigIntArray,
  isFloatArray,
  LO_WORD,
  toInt64Words,
  TWO_POW_32,
  wordsToBigInt,
} from './numeric.ts';

/** The summary of a block of values. min/max are meaningful only when count > 0. */
export interface Moments {
  /** Values that are not NaN. */
  count: number;
  /** The mean, rounded to a double. */
  mean: number;
  /** The rest of the mean: `mean + meanLo` is the mean to about twice double precision. */
  meanLo: number;
  /** Σ (x - mean)². */
  m2: number;
  min: number | bigint;
  max: number | bigint;
  nanCount: number;
}

export function emptyMoments(): Moments {
  return { count: 0, mean: 0, meanLo: 0, m2: 0, min: 0, max: 0, nanCount: 0 };
}

/** The moments of every value of `data`, NaNs counted apart. */
export function momentsOf(data: TypedArray): Moments {
  if (isFloatArray(data)) return floatMoments(data);
  if (isBigIntArray(data)) return int64Moments(data);
  return intMoments(data);
}

/** Folds `other` into `into` (Chan et al. 1979); `other` is left as it was. */
export function combineMoments(into: Moments, other: Moments): void {
  into.nanCount += other.nanCount;
  if (other.count === 0) return;
  if (into.count === 0) {
    Object.assign(into, { ...other, nanCount: into.nanCount });
    return;
  }
  const na = into.count;
  const nb = other.count;
  const n = na + nb;
  // Two close means subtract exactly (Sterbenz), so the low parts add the digits the high
  // parts lack.
  const delta = other.mean - into.mean + (other.meanLo - into.meanLo);
  if (Number.isFinite(delta)) {
    const [mean, low] = twoSum(into.mean, delta * (nb / n));
    [into.mean, into.meanLo] = twoSum(mean, low + into.meanLo);
  } else {
    // An infinite mean on one side: the weighted sum gives numpy's answer (inf, or NaN for
    // inf - inf) where the update form would give inf - inf = NaN.
    into.mean = (into.mean * na + other.mean * nb) / n;
    into.meanLo = 0;
  }
  into.m2 = into.m2 + other.m2 + delta * delta * ((na / n) * nb);
  into.count = n;
  if (other.min < into.min) into.min = other.min;
  if (other.max > into.max) into.max = other.max;
}

/** Population standard deviation (numpy's ddof=0). */
export function stdOf(moments: Moments): number {
  return Math.sqrt(moments.m2 / moments.count);
}

// --- kernels: one tight loop per pass, no allocation per value --------------------------------

export function floatMoments(data: FloatArray): Moments {
  const length = data.length;
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < length; i++) {
    const x = data[i];
    if (x !== x) continue; // NaN
    count++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (count === 0) return { ...emptyMoments(), nanCount: length };
  const mean = sum / count;
  let deviation = 0;
  let m2 = 0;
  for (let i = 0; i < length; i++) {
    const x = data[i];
    if (x !== x) continue;
    const d = x - mean;
    deviation += d;
    m2 += d * d;
  }
  return finishBlock(count, mean, deviation, m2, min, max, length - count);
}

/** Values per block whose sum a double holds exactly: 2^21 values of magnitude at most 2^32. */
const EXACT_SUM_BLOCK = 2 ** 21;

export function intMoments(data: IntArray): Moments {
  const length = data.length;
  if (length === 0) return emptyMoments();
  // Exact whatever the length: one BigInt addition per block, none per value.
  let total = 0n;
  let min = Infinity;
  let max = -Infinity;
  for (let start = 0; start < length; start += EXACT_SUM_BLOCK) {
    const end = Math.min(length, start + EXACT_SUM_BLOCK);
    let sum = 0;
    for (let i = start; i < end; i++) {
      const x = data[i];
      sum += x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    total += BigInt(sum);
  }
  const [mean, meanLo] = exactMean(total, length);
  let m2 = 0;
  for (let i = 0; i < length; i++) {
    const d = data[i] - mean;
    m2 += d * d;
  }
  // Σ(x - mean)² exceeds M2 by length · meanLo², the square of what rounding the mean left out.
  return {
    count: length,
    mean,
    meanLo,
    m2: Math.max(0, m2 - length * meanLo * meanLo),
    min,
    max,
    nanCount: 0,
  };
}

/** `total / count` as a (mean, meanLo) pair: the integer quotient is exact, the rest below 1. */
function exactMean(total: bigint, count: number): [number, number] {
  const quotient = total / BigInt(count);
  const rest = Number(total - quotient * BigInt(count)) / count;
  return twoSum(Number(quotient), rest);
}

/** int64/uint64: sums over the nearest doubles, min/max compared exactly on the 32-bit words. */
export function int64Moments(data: BigIntArray): Moments {
  const length = data.length;
  if (length === 0) return emptyMoments();
  const signed = data instanceof BigInt64Array;
  const words = toInt64Words(data);
  // Imported bindings read inside a hot loop cost a lookup each time in V8: copy to locals.
  const [hiWord, loWord, scale] = [HI_WORD, LO_WORD, TWO_POW_32];
  let sum = 0;
  let minHi = Infinity;
  let minLo = 0;
  let maxHi = -Infinity;
  let maxLo = 0;
  for (let i = 0; i < length; i++) {
    const w = words[2 * i + hiWord];
    const hi = signed ? w | 0 : w;
    const lo = words[2 * i + loWord];
    sum += hi * scale + lo;
    if (hi < minHi || (hi === minHi && lo < minLo)) {
      minHi = hi;
      minLo = lo;
    }
    if (hi > maxHi || (hi === maxHi && lo > maxLo)) {
      maxHi = hi;
      maxLo = lo;
    }
  }
  const mean = sum / length;
  let deviation = 0;
  let m2 = 0;
  for (let i = 0; i < length; i++) {
    const w = words[2 * i + hiWord];
    const d = (signed ? w | 0 : w) * scale + words[2 * i + loWord] - mean;
    deviation += d;
    m2 += d * d;
  }
  const min = wordsToBigInt(minHi, minLo);
  const max = wordsToBigInt(maxHi, maxLo);
  return finishBlock(length, mean, deviation, m2, min, max, 0);
}

/**
 * Applies the corrected two-pass formula: Σ(x - mean) is zero but for the mean's rounding, so
 * it corrects the mean and removes its contribution from M2. Skipped for an infinite mean,
 * where the deviations are NaN and numpy reports the infinite mean as is.
 */
function finishBlock(
  count: number,
  mean: number,
  deviation: number,
  m2: number,
  min: number | bigint,
  max: number | bigint,
  nanCount: number,
): Moments {
  if (!Number.isFinite(mean)) return { count, mean, meanLo: 0, m2: NaN, min, max, nanCount };
  const correction = deviation / count;
  const [corrected, meanLo] = twoSum(mean, correction);
  return { count, mean: corrected, meanLo, m2: Math.max(0, m2 - deviation * correction), min, max, nanCount };
}

/** a + b as the rounded sum and its exact rounding error (Knuth's TwoSum). */
function twoSum(a: number, b: number): [number, number] {
  const sum = a + b;
  const bPart = sum - a;
  return [sum, a - (sum - bPart) + (b - bPart)];
}
