/**
 * The integer kernels of ExactMoments: Σx and Σx² of integers are gathered exactly in float64
 * accumulators that cannot pass 2^53 before a flush (every INT_FLUSH_EVERY values), then moved
 * into the BigInt sums.
 * - 8 and 16 bits: x² < 2^32, so plain sums of x and x² stay exact for 2^20 values.
 * - 32 bits: x = a·2^16 + b (b the low 16 bits), x² = a²·2^32 + 2ab·2^16 + b², three sums.
 * - 64 bits: read as two 32-bit words (no BigInt per value), x split into four 16-bit limbs d0..d3
 *   (d3 signed for int64): x² = Σ d_i·d_j·2^(16(i+j)), nine sums of products below 2^33.
 * One loop per array type, so that every element access in a loop sees a single array type. The
 * loops take their running sums from module variables and leave them there (foldIntegers moves
 * them to and from the tally): V8 often compiles a loop mid-call (OSR), before the code after it
 * ever ran, and a property store there, lacking type feedback, would deoptimise every call. The
 * `* 1` on the way in makes V8 keep a sum as a raw double; taken as it comes from a module
 * variable it would stay boxed, and every iteration would allocate a HeapNumber.
 */
import type { ExactSum } from './exact-sum.ts';
import type { BigIntArray, IntArray } from './numeric.ts';

/** Values between flushes: sums of terms below 2^33 stay below 2^53. */
export const INT_FLUSH_EVERY = 2 ** 20;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LOW_WORD = LITTLE_ENDIAN ? 0 : 1;
const HIGH_WORD = LITTLE_ENDIAN ? 1 : 0;

/** An accumulator's sums and extremes, kept between calls until flushed. */
export class IntTally {
  pending = 0;
  /** Σx; for 64-bit values Σ of the low words. */
  sum = 0;
  /** Σ of the high words of 64-bit values. */
  sumHigh = 0;
  /** Partial sums of squares; which term each holds depends on the width (see the flushes). */
  s0 = 0;
  s1 = 0;
  s2 = 0;
  s3 = 0;
  s4 = 0;
  s5 = 0;
  s6 = 0;
  s7 = 0;
  s8 = 0;
  min = Infinity;
  max = -Infinity;
  /** 64-bit extremes as (signed or unsigned high word, unsigned low word). */
  minHigh = Infinity;
  minLow = 0;
  maxHigh = -Infinity;
  maxLow = 0;
}

/** The running values of the fold in progress (see the file comment). */
let runSum = 0;
let runHigh = 0;
let runSq0 = 0;
let runSq1 = 0;
let runSq2 = 0;
let runSq3 = 0;
let runSq4 = 0;
let runSq5 = 0;
let runSq6 = 0;
let runSq7 = 0;
let runSq8 = 0;
let runMin = 0;
let runMax = 0;
let runMinHigh = 0;
let runMinLow = 0;
let runMaxHigh = 0;
let runMaxLow = 0;

/** Every integer column's array (the stats/numeric.ts kinds). */
export type IntegerArray = IntArray | BigIntArray;

/** Folds data[start, end) into the tally, with the loop of its array type. */
export function foldIntegers(data: IntegerArray, start: number, end: number, t: IntTally): void {
  [runSum, runHigh, runMin, runMax] = [t.sum, t.sumHigh, t.min, t.max];
  [runSq0, runSq1, runSq2, runSq3, runSq4] = [t.s0, t.s1, t.s2, t.s3, t.s4];
  [runSq5, runSq6, runSq7, runSq8] = [t.s5, t.s6, t.s7, t.s8];
  [runMinHigh, runMinLow, runMaxHigh, runMaxLow] = [t.minHigh, t.minLow, t.maxHigh, t.maxLow];
  if (data instanceof Int8Array) foldInt8(data, start, end);
  else if (data instanceof Uint8Array) foldUint8(data, start, end);
  else if (data instanceof Int16Array) foldInt16(data, start, end);
  else if (data instanceof Uint16Array) foldUint16(data, start, end);
  else if (data instanceof Int32Array) foldInt32(data, start, end);
  else if (data instanceof Uint32Array) foldUint32(data, start, end);
  else {
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
    if (data instanceof BigInt64Array) foldSigned64(words, start, end);
    else foldUnsigned64(words, start, end);
  }
  [t.sum, t.sumHigh, t.min, t.max] = [runSum, runHigh, runMin, runMax];
  [t.s0, t.s1, t.s2, t.s3, t.s4] = [runSq0, runSq1, runSq2, runSq3, runSq4];
  [t.s5, t.s6, t.s7, t.s8] = [runSq5, runSq6, runSq7, runSq8];
  [t.minHigh, t.minLow, t.maxHigh, t.maxLow] = [runMinHigh, runMinLow, runMaxHigh, runMaxLow];
}

// --- 8 and 16 bits: s0 = Σx² ------------------------------------------------------------------

function foldInt8(data: Int8Array, start: number, end: number): void {
  let sum = runSum * 1;
  let squares = runSq0 * 1;
  let min = runMin * 1;
  let max = runMax * 1;
  for (let i = start; i < end; i++) {
    const x = data[i];
    sum += x;
    squares += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  runSum = sum;
  runSq0 = squares;
  runMin = min;
  runMax = max;
}

function foldUint8(data: Uint8Array, start: number, end: number): void {
  let sum = runSum * 1;
  let squares = runSq0 * 1;
  let min = runMin * 1;
  let max = runMax * 1;
  for (let i = start; i < end; i++) {
    const x = data[i];
    sum += x;
    squares += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  runSum = sum;
  runSq0 = squares;
  runMin = min;
  runMax = max;
}

function foldInt16(data: Int16Array, start: number, end: number): void {
  let sum = runSum * 1;
  let squares = runSq0 * 1;
  let min = runMin * 1;
  let max = runMax * 1;
  for (let i = start; i < end; i++) {
    const x = data[i];
    sum += x;
    squares += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  runSum = sum;
  runSq0 = squares;
  runMin = min;
  runMax = max;
}

function foldUint16(data: Uint16Array, start: number, end: number): void {
  let sum = runSum * 1;
  let squares = runSq0 * 1;
  let min = runMin * 1;
  let max = runMax * 1;
  for (let i = start; i < end; i++) {
    const x = data[i];
    sum += x;
    squares += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  runSum = sum;
  runSq0 = squares;
  runMin = min;
  runMax = max;
}

export function flushSmallInts(t: IntTally, sum: ExactSum, squares: ExactSum): void {
  sum.add(t.sum);
  squares.add(t.s0);
  t.sum = t.s0 = t.pending = 0;
}

// --- 32 bits: s0 = Σa², s1 = Σab, s2 = Σb² ---------------------------------------------------

function foldInt32(data: Int32Array, start: number, end: number): void {
  let sum = runSum * 1;
  let aa = runSq0 * 1;
  let ab = runSq1 * 1;
  let bb = runSq2 * 1;
  let min = runMin * 1;
  let max = runMax * 1;
  for (let i = start; i < end; i++) {
    const x = data[i];
    const a = x >> 16;
    const b = x & 0xffff;
    sum += x;
    // |0: the products fit in int32, and a 0 times a negative must not make V8 deopt on -0.
    aa += (a * a) | 0;
    ab += (a * b) | 0;
    bb += b * b;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  runSum = sum;
  runSq0 = aa;
  runSq1 = ab;
  runSq2 = bb;
  runMin = min;
  runMax = max;
}

function foldUint32(data: Uint32Array, start: number, end: number): void {
  let sum = runSum * 1;
  let aa = runSq0 * 1;
  let ab = runSq1 * 1;
  let bb = runSq2 * 1;
  let min = runMin * 1;
  let max = runMax * 1;
  for (let i = start; i < end; i++) {
    const x = data[i];
    const a = x >>> 16;
    const b = x & 0xffff;
    sum += x;
    aa += a * a;
    ab += a * b;
    bb += b * b;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  runSum = sum;
  runSq0 = aa;
  runSq1 = ab;
  runSq2 = bb;
  runMin = min;
  runMax = max;
}

export function flushInt32(t: IntTally, sum: ExactSum, squares: ExactSum): void {
  sum.add(t.sum);
  squares.addScaled(t.s0, 32);
  squares.addScaled(t.s1, 17);
  squares.add(t.s2);
  t.sum = t.s0 = t.s1 = t.s2 = t.pending = 0;
}

// --- 64 bits: sums of limb products by weight (see flushInt64) --------------------------------

// foldSigned64 and foldUnsigned64 differ only in how the high word and its top limb are read
// (`| 0` and `>>` against `>>>`): one loop per signedness keeps each loop free of a per-value
// branch and V8 on one representation of `hi`, as the float32/float64 twins of
// dsp/segment-spectrum.ts are kept apart.
function foldSigned64(words: Uint32Array, start: number, end: number): void {
  const [lowWord, highWord] = [LOW_WORD, HIGH_WORD];
  let sumLow = runSum * 1;
  let sumHigh = runHigh * 1;
  let s0 = runSq0 * 1;
  let s1 = runSq1 * 1;
  let s2 = runSq2 * 1;
  let s3 = runSq3 * 1;
  let s4 = runSq4 * 1;
  let s5 = runSq5 * 1;
  let s6 = runSq6 * 1;
  let s7 = runSq7 * 1;
  let s8 = runSq8 * 1;
  let minHigh = runMinHigh * 1;
  let minLow = runMinLow * 1;
  let maxHigh = runMaxHigh * 1;
  let maxLow = runMaxLow * 1;
  for (let i = start; i < end; i++) {
    const lo = words[2 * i + lowWord];
    const hi = words[2 * i + highWord] | 0;
    sumLow += lo;
    sumHigh += hi;
    const d0 = lo & 0xffff;
    const d1 = lo >>> 16;
    const d2 = hi & 0xffff;
    const d3 = hi >> 16;
    s0 += d0 * d0;
    s1 += d0 * d1;
    s2 += d0 * d2;
    s3 += d1 * d1;
    // |0 on the products with the signed limb d3 (all below 2^31): no -0 for V8 to deopt on.
    s4 += ((d0 * d3) | 0) + d1 * d2;
    s5 += (d1 * d3) | 0;
    s6 += d2 * d2;
    s7 += (d2 * d3) | 0;
    s8 += (d3 * d3) | 0;
    if (hi < minHigh || (hi === minHigh && lo < minLow)) {
      minHigh = hi;
      minLow = lo;
    }
    if (hi > maxHigh || (hi === maxHigh && lo > maxLow)) {
      maxHigh = hi;
      maxLow = lo;
    }
  }
  // Plain assignments after the loop: destructuring would need type feedback.
  runSum = sumLow;
  runHigh = sumHigh;
  runSq0 = s0;
  runSq1 = s1;
  runSq2 = s2;
  runSq3 = s3;
  runSq4 = s4;
  runSq5 = s5;
  runSq6 = s6;
  runSq7 = s7;
  runSq8 = s8;
  runMinHigh = minHigh;
  runMinLow = minLow;
  runMaxHigh = maxHigh;
  runMaxLow = maxLow;
}

function foldUnsigned64(words: Uint32Array, start: number, end: number): void {
  const [lowWord, highWord] = [LOW_WORD, HIGH_WORD];
  let sumLow = runSum * 1;
  let sumHigh = runHigh * 1;
  let s0 = runSq0 * 1;
  let s1 = runSq1 * 1;
  let s2 = runSq2 * 1;
  let s3 = runSq3 * 1;
  let s4 = runSq4 * 1;
  let s5 = runSq5 * 1;
  let s6 = runSq6 * 1;
  let s7 = runSq7 * 1;
  let s8 = runSq8 * 1;
  let minHigh = runMinHigh * 1;
  let minLow = runMinLow * 1;
  let maxHigh = runMaxHigh * 1;
  let maxLow = runMaxLow * 1;
  for (let i = start; i < end; i++) {
    const lo = words[2 * i + lowWord];
    const hi = words[2 * i + highWord];
    sumLow += lo;
    sumHigh += hi;
    const d0 = lo & 0xffff;
    const d1 = lo >>> 16;
    const d2 = hi & 0xffff;
    const d3 = hi >>> 16;
    s0 += d0 * d0;
    s1 += d0 * d1;
    s2 += d0 * d2;
    s3 += d1 * d1;
    s4 += d0 * d3 + d1 * d2;
    s5 += d1 * d3;
    s6 += d2 * d2;
    s7 += d2 * d3;
    s8 += d3 * d3;
    if (hi < minHigh || (hi === minHigh && lo < minLow)) {
      minHigh = hi;
      minLow = lo;
    }
    if (hi > maxHigh || (hi === maxHigh && lo > maxLow)) {
      maxHigh = hi;
      maxLow = lo;
    }
  }
  // Plain assignments after the loop: destructuring would need type feedback.
  runSum = sumLow;
  runHigh = sumHigh;
  runSq0 = s0;
  runSq1 = s1;
  runSq2 = s2;
  runSq3 = s3;
  runSq4 = s4;
  runSq5 = s5;
  runSq6 = s6;
  runSq7 = s7;
  runSq8 = s8;
  runMinHigh = minHigh;
  runMinLow = minLow;
  runMaxHigh = maxHigh;
  runMaxLow = maxLow;
}

/**
 * x² = d0² + 2d0d1·2^16 + (2d0d2 + d1²)·2^32 + 2(d0d3 + d1d2)·2^48 + (2d1d3 + d2²)·2^64
 *      + 2d2d3·2^80 + d3²·2^96.
 */
const SQUARE_SCALES = [0, 17, 33, 32, 49, 65, 64, 81, 96] as const;

export function flushInt64(t: IntTally, sum: ExactSum, squares: ExactSum): void {
  sum.add(t.sum);
  sum.addScaled(t.sumHigh, 32);
  const terms = [t.s0, t.s1, t.s2, t.s3, t.s4, t.s5, t.s6, t.s7, t.s8];
  terms.forEach((term, k) => squares.addScaled(term, SQUARE_SCALES[k]));
  t.sum = t.sumHigh = t.pending = 0;
  t.s0 = t.s1 = t.s2 = t.s3 = t.s4 = t.s5 = t.s6 = t.s7 = t.s8 = 0;
}

/** The exact value of a (high word, low word) pair; `high` is signed for int64. */
export function wordsToBigInt(high: number, low: number): bigint {
  return (BigInt(high) << 32n) + BigInt(low);
}
