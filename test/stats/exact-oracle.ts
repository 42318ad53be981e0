/**
 * Test oracle for the exact accumulators, independent of src/stats: exact sums as BigInts over a
 * fixed exponent, and checks that a double is the correctly rounded (nearest, ties to even)
 * value of an exact rational, done by comparing the rational with the double's midpoints to its
 * neighbours. Also a seeded PRNG (fast-check is not installed) and split / merge helpers.
 */

const VIEW = new DataView(new ArrayBuffer(8));

/** A finite double as mantissa · 2^exponent, read from its bits with a DataView. */
export function exactOf(x: number): { mantissa: bigint; exponent: number } {
  VIEW.setFloat64(0, x);
  const bits = VIEW.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const magnitude = biased === 0 ? fraction : fraction | (1n << 52n);
  const mantissa = bits >> 63n ? -magnitude : magnitude;
  return { mantissa, exponent: (biased === 0 ? 1 : biased) - 1075 };
}

/** The next double above x (x finite). */
export function nextUp(x: number): number {
  if (x === 0) return 5e-324;
  VIEW.setFloat64(0, x);
  const bits = VIEW.getBigUint64(0);
  VIEW.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return VIEW.getFloat64(0);
}

export function nextDown(x: number): number {
  return -nextUp(-x);
}

/** Exact Σx and Σx² of the finite values (sum over 2^-1074, squares over 2^-2148), and counts. */
export interface Reference {
  count: number;
  nanCount: number;
  posInf: number;
  negInf: number;
  sum: bigint;
  sumExponent: number;
  squares: bigint;
  squaresExponent: number;
}

export function referenceOf(values: ArrayLike<number | bigint>): Reference {
  const ref: Reference = {
    count: 0,
    nanCount: 0,
    posInf: 0,
    negInf: 0,
    sum: 0n,
    sumExponent: -1074,
    squares: 0n,
    squaresExponent: -2148,
  };
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'bigint') {
      ref.count++;
      ref.sum += v << 1074n;
      ref.squares += (v * v) << 2148n;
      continue;
    }
    if (Number.isNaN(v)) {
      ref.nanCount++;
      continue;
    }
    ref.count++;
    if (v === Infinity) ref.posInf++;
    else if (v === -Infinity) ref.negInf++;
    else {
      const { mantissa, exponent } = exactOf(v);
      ref.sum += mantissa << BigInt(exponent + 1074);
      ref.squares += (mantissa * mantissa) << BigInt(2 * exponent + 2148);
    }
  }
  return ref;
}

/** Sign of a·2^ea − b·2^eb. */
function compareScaled(a: bigint, ea: number, b: bigint, eb: number): number {
  const e = Math.min(ea, eb);
  const x = a << BigInt(ea - e);
  const y = b << BigInt(eb - e);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The midpoints between d and its neighbours, as (numerator, exponent) with the value num·2^exp. */
function midpoints(d: number): [[bigint, number], [bigint, number]] {
  const at = (x: number): [bigint, number] => {
    if (x === Infinity) return [1n, 1024];
    if (x === -Infinity) return [-1n, 1024];
    const { mantissa, exponent } = exactOf(x);
    return [mantissa, exponent];
  };
  const mid = (a: [bigint, number], b: [bigint, number]): [bigint, number] => {
    const e = Math.min(a[1], b[1]);
    return [(a[0] << BigInt(a[1] - e)) + (b[0] << BigInt(b[1] - e)), e - 1];
  };
  const here = at(d);
  return [mid(at(nextDown(d)), here), mid(here, at(nextUp(d)))];
}

/**
 * True when `d` is (num · 2^exp) / den — or, with `root`, √((num · 2^exp) / den²) — rounded to
 * the nearest double, ties to even; den > 0.
 */
export function isCorrectlyRounded(d: number, num: bigint, exp: number, den: bigint, root = false): boolean {
  if (!Number.isFinite(d)) {
    // ±Infinity from at least the midpoint between the largest double and 2^1024: (2^54 - 1)·2^970.
    return !root && compareScaled(d > 0 ? num : -num, exp, ((1n << 54n) - 1n) * den, 970) >= 0;
  }
  const [low, high] = midpoints(d);
  // value vs m·2^e:  num·2^exp vs den·m·2^e, or (root) num·2^exp vs den²·m²·2^2e with m ≥ 0.
  const compare = ([m, e]: [bigint, number]): number => {
    if (!root) return compareScaled(num, exp, den * m, e);
    if (m <= 0n) return 1;
    return compareScaled(num, exp, den * den * m * m, 2 * e);
  };
  const aboveLow = compare(low);
  const belowHigh = -compare(high);
  if (aboveLow < 0 || belowHigh < 0) return false;
  if (aboveLow === 0 || belowHigh === 0) return (exactOf(d).mantissa & 1n) === 0n;
  return true;
}

// --- seeded random numbers, splits and merges ------------------------------------------------

export type Random = () => number;

/** mulberry32: a small seeded PRNG with uniform output in [0, 1). */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: Random, below: number): number {
  return Math.floor(random() * below);
}

/** Cuts [0, length) into pieces of `size` (the last shorter), or of random sizes when size is 0. */
export function pieces(length: number, size: number, random: Random): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < length;) {
    const step = size > 0 ? size : 1 + randomInt(random, Math.max(1, length >> 3));
    const end = Math.min(length, start + step);
    out.push([start, end]);
    start = end;
  }
  return out;
}

/** Merges items in a random order and a random grouping (a random binary tree). */
export function mergeRandomly<T>(items: T[], merge: (into: T, other: T) => void, random: Random): T {
  const pool = [...items];
  while (pool.length > 1) {
    const a = pool.splice(randomInt(random, pool.length), 1)[0];
    const b = pool.splice(randomInt(random, pool.length), 1)[0];
    merge(a, b);
    pool.push(a);
  }
  return pool[0];
}
