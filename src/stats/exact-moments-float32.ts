/**
 * The float32 kernel of ExactMoments: exact Σx and Σx² gathered in float64 bins, one set of bins
 * per float32 exponent, with no rounding anywhere.
 *
 * A float32 x of (biased) exponent e is a multiple of 2^(e-150) below 2^(e-126): 24 bits above
 * its bin's unit, so a float64 bin adds 2^29 of them exactly. x² is exact in float64 (48 bits);
 * rounding it to a multiple of 2^(2e-276) ((q + M) - M, exact) cuts it into a high part and a
 * low part of at most 24 bits each, and each goes to its own bin. Min and max compare integer
 * keys of the bit patterns, which order -0 before +0, so that they do not depend on the order of
 * the values either.
 *
 * Speed (V8): the hot loop bins into SCRATCH, a module-level array, because V8 then knows its
 * address and length and checks nothing per access (a tally's own array costs ~15% more); the
 * rows it reached are moved into the tally's bins and emptied before foldFloat32 returns, so nothing is
 * shared between calls or accumulators. It has four copies of the bins, one per element of a
 * group of four, so that consecutive values of one exponent do not wait on each other's store.
 *
 * Values whose exponents stay within 13 of each other are summed faster still, in registers
 * without binning (exact-moments-float32-window.ts: ~1.9× this loop's speed on a 1 GiB signal);
 * foldFloat32 tries that first, and the scatter loop takes what it gives up (zeros, NaNs,
 * values spread over many magnitudes).
 */
import type { ExactSum } from './exact-sum.ts';
import {
  currentWindowHigh,
  flushWindowSums,
  foldWindowFloat32,
  resetWindowExtremes,
  setWindow,
  WINDOW_BLOCK,
  windowExtremes,
} from './exact-moments-float32-window.ts';

const EXPONENTS = 256;
/** Bins per exponent: Σx, Σ high(x²), Σ low(x²), and one unused so that the index is a shift. */
const STRIDE = 4;
const COPY = 1024; // EXPONENTS · STRIDE, written out in the hot loop
const COPIES = 4;
/** Calls shorter than this bin value by value straight into the tally, skipping the scratch. */
const SHORT_CALL = 256;

/** Values between flushes: 2^28 pieces of at most 2^24 units stay below 2^52 units per bin. */
export const FLOAT32_FLUSH_EVERY = 2 ** 28;

/** Per exponent, 1.5·2^52 times the unit that splits x² into two halves of at most 24 bits. */
const SQUARE_SPLIT = Float64Array.from(
  { length: EXPONENTS },
  (_, e) => 1.5 * 2 ** (2 * Math.max(e, 1) - 224),
);

/** The hot loop's bins (COPIES copies); all zero between calls of foldFloat32. */
const SCRATCH = new Float64Array(COPIES * COPY);

/**
 * The extremes the hot loop starts from and ends with. Module variables, not tally fields: V8
 * often compiles the loop mid-call (OSR), before the code after it ever ran; a property store
 * there has no type feedback yet and would deoptimise every call, a module variable needs none.
 */
let loopMinKey = 0;
let loopMaxKey = 0;

const KEY_BITS = new Int32Array(1);
const KEY_FLOAT = new Float32Array(KEY_BITS.buffer);

/** Bins and running extremes of one accumulator, kept between calls until flushed. */
export class Float32Tally {
  /**
   * The exact sums the window path (exact-moments-float32-window.ts) adds its block sums to
   * directly; the bins go to the same sums when flushed.
   */
  constructor(
    readonly sum: ExactSum,
    readonly squares: ExactSum,
  ) {}

  readonly bins = new Float64Array(COPY);
  /**
   * The window path's highest exponent for the next call; 0 to take it from the first values,
   * below 0 the number of calls it still sits out.
   */
  windowHigh = 0;
  /** Values folded into the bins since the last flush. */
  pending = 0;
  nanCount = 0;
  posInfCount = 0;
  negInfCount = 0;
  /** Order-preserving integer keys of the extremes (see floatKey). */
  minKey = 0x7fffffff;
  maxKey = -0x80000000;
}

/** An int32 that orders as the float32 of these bits does (-0 before +0; NaN excluded). */
function floatKey(bits: number): number {
  return bits ^ ((bits >> 31) >>> 1);
}

/** The float32 of an order key (the mapping is its own inverse). */
export function floatOfKey(key: number): number {
  KEY_BITS[0] = floatKey(key);
  return KEY_FLOAT[0];
}

/** Folds values[start, end) into the tally; `bits` is an Int32Array view of the same memory. */
export function foldFloat32(
  values: Float32Array,
  bits: Int32Array,
  start: number,
  end: number,
  tally: Float32Tally,
): void {
  if (end - start < SHORT_CALL) {
    for (let i = start; i < end; i++) foldOneFloat32(values[i], bits[i], tally);
    return;
  }
  if (tally.windowHigh < 0) {
    tally.windowHigh++; // a call of the calls the window path sits out after giving up
    foldScattered(values, bits, start, end, tally);
    return;
  }
  const from = foldInWindows(values, bits, start, end, tally);
  if (from < end) foldScattered(values, bits, from, end, tally);
}

/**
 * The window path gives up once more than 1 in SLOW_SHARE groups of four fell outside (after
 * at least MIN_SLOW_GROUPS), and then sits out the next SKIPPED_CALLS calls: on data of widely
 * spread magnitudes, or with many zeros or NaNs, the scatter kernel is faster.
 */
const SLOW_SHARE = 16;
const MIN_SLOW_GROUPS = 32;
const SKIPPED_CALLS = 8;

/**
 * The window path: blocks of WINDOW_BLOCK values summed in registers while the exponents stay in
 * the window, which rises to any larger exponent met. Groups with a value below it (or zero,
 * NaN, infinity) go value by value into the bins. Returns where it stopped: `end`, or earlier
 * when too many groups fell outside (data of widely spread magnitudes, many zeros or NaNs), to
 * leave the rest to the scatter kernel, which bins every value by its exponent.
 */
function foldInWindows(
  values: Float32Array,
  bits: Int32Array,
  start: number,
  end: number,
  tally: Float32Tally,
): number {
  resetWindowExtremes();
  setWindow(tally.windowHigh > 0 ? tally.windowHigh : topExponent(bits, start, start + 4));
  let slowGroups = 0;
  let givenUp = false;
  let i = start;
  while (i < end && !givenUp) {
    const blockEnd = Math.min(end, i + WINDOW_BLOCK);
    while (i < blockEnd) {
      i = foldWindowFloat32(values, bits, i, blockEnd);
      if (i >= blockEnd) break;
      const stop = Math.min(blockEnd, i + 4);
      const top = topExponent(bits, i, stop);
      if (top > currentWindowHigh()) {
        // A larger magnitude: its unit is coarser, so the sums so far go out before the window moves.
        flushWindowSums(tally.sum, tally.squares);
        setWindow(top);
        continue;
      }
      for (; i < stop; i++) foldOneFloat32(values[i], bits[i], tally);
      slowGroups++;
      givenUp = slowGroups >= MIN_SLOW_GROUPS && slowGroups * SLOW_SHARE * 4 > i - start;
      if (givenUp) break;
    }
    flushWindowSums(tally.sum, tally.squares);
  }
  tally.windowHigh = givenUp ? -SKIPPED_CALLS : currentWindowHigh();
  const [minKey, maxKey] = windowExtremes();
  if (minKey <= maxKey) {
    tally.minKey = Math.min(tally.minKey, minKey);
    tally.maxKey = Math.max(tally.maxKey, maxKey);
  }
  return i;
}

/** The largest exponent below 255 (NaN, infinity) among bits[start, stop), at least 1. */
function topExponent(bits: Int32Array, start: number, stop: number): number {
  let top = 1;
  for (let i = start; i < stop; i++) {
    const e = (bits[i] >>> 23) & 255;
    if (e !== 255 && e > top) top = e;
  }
  return top;
}

/** The scatter kernel: every value into the bins of its exponent, through SCRATCH. */
function foldScattered(
  values: Float32Array,
  bits: Int32Array,
  start: number,
  end: number,
  tally: Float32Tally,
): void {
  // The extremes and exponents of this call's common values (merged into the tally below).
  loopMinKey = 0x7fffffff;
  loopMaxKey = -0x80000000;
  for (let i = start; i < end;) {
    i = foldCommonFloat32(values, bits, i, end);
    // Stopped at a group of four with a NaN or an infinity, or at the last one to three values.
    const stop = Math.min(end, i + 4);
    for (; i < stop; i++) foldOneFloat32(values[i], bits[i], tally);
  }
  if (loopMinKey > loopMaxKey) return; // nothing went through the scratch
  tally.minKey = Math.min(tally.minKey, loopMinKey);
  tally.maxKey = Math.max(tally.maxKey, loopMaxKey);
  const [low, high] = exponentRange(loopMinKey, loopMaxKey);
  drainScratch(tally.bins, low, high);
}

/** The exponents values between two order keys can have: all up to the larger if 0 is between. */
function exponentRange(minKey: number, maxKey: number): [number, number] {
  const exponentOf = (key: number) => (floatKey(key) >>> 23) & 255;
  if (minKey >= 0) return [exponentOf(minKey), exponentOf(maxKey)]; // all ≥ +0
  if (maxKey < 0) return [exponentOf(maxKey), exponentOf(minKey)]; // all ≤ -0
  return [0, Math.max(exponentOf(minKey), exponentOf(maxKey))];
}

/**
 * Adds the scratch copies of the rows of exponents low..high into `bins` and empties them (at
 * most 2^52 units a bin: exact). A row above 0 that no value reached has a zero Σ high(x²) in
 * every copy (that part is positive for any normal x), and is skipped after four loads.
 */
function drainScratch(bins: Float64Array, low: number, high: number): void {
  const scratch = SCRATCH;
  for (let e = low; e <= high; e++) {
    const row = e * STRIDE;
    const reached =
      scratch[row + 1] + scratch[row + 1 + COPY] + scratch[row + 1 + 2 * COPY] + scratch[row + 1 + 3 * COPY];
    if (reached === 0 && e > 0) continue;
    for (let j = row; j < row + 3; j++) {
      bins[j] += scratch[j] + scratch[j + COPY] + scratch[j + 2 * COPY] + scratch[j + 3 * COPY];
      scratch[j] = scratch[j + COPY] = scratch[j + 2 * COPY] = scratch[j + 3 * COPY] = 0;
    }
  }
}

/**
 * The hot loop: four values at a time, one copy of the bins each, until a group holds a NaN or
 * an infinity (exponent 255) or fewer than four values remain; returns where it stopped. It
 * calls nothing, so that V8 keeps its locals in registers, and its extremes go in and out
 * through loopMinKey / loopMaxKey.
 */
function foldCommonFloat32(values: Float32Array, bits: Int32Array, start: number, end: number): number {
  const bins = SCRATCH;
  const split = SQUARE_SPLIT;
  // `| 0` tells V8 the keys are int32, so that Math.min/max need no float compares.
  let minKey = loopMinKey | 0;
  let maxKey = loopMaxKey | 0;
  const last = end - 3;
  let i = start;
  for (; i < last; i += 4) {
    const b0 = bits[i];
    const b1 = bits[i + 1];
    const b2 = bits[i + 2];
    const b3 = bits[i + 3];
    const e0 = (b0 >>> 23) & 255;
    const e1 = (b1 >>> 23) & 255;
    const e2 = (b2 >>> 23) & 255;
    const e3 = (b3 >>> 23) & 255;
    if (((e0 + 1) | (e1 + 1) | (e2 + 1) | (e3 + 1)) & 256) break;
    // floatKey(b), written out: V8 would re-check the function binding on every iteration.
    const k0 = b0 ^ ((b0 >> 31) >>> 1);
    const k1 = b1 ^ ((b1 >> 31) >>> 1);
    const k2 = b2 ^ ((b2 >> 31) >>> 1);
    const k3 = b3 ^ ((b3 >> 31) >>> 1);
    minKey = Math.min(minKey, k0, k1, k2, k3);
    maxKey = Math.max(maxKey, k0, k1, k2, k3);
    const x0 = values[i];
    const x1 = values[i + 1];
    const x2 = values[i + 2];
    const x3 = values[i + 3];
    // Literal offsets (copy k starts at k·COPY = k·1024): a module constant would be reloaded
    // and checked on every iteration, and V8 could not bound the indices.
    const j0 = e0 << 2;
    const j1 = (e1 << 2) + 1024;
    const j2 = (e2 << 2) + 2048;
    const j3 = (e3 << 2) + 3072;
    bins[j0] += x0;
    bins[j1] += x1;
    bins[j2] += x2;
    bins[j3] += x3;
    const q0 = x0 * x0;
    const q1 = x1 * x1;
    const q2 = x2 * x2;
    const q3 = x3 * x3;
    const m0 = split[e0];
    const h0 = q0 + m0 - m0;
    const m1 = split[e1];
    const h1 = q1 + m1 - m1;
    const m2 = split[e2];
    const h2 = q2 + m2 - m2;
    const m3 = split[e3];
    const h3 = q3 + m3 - m3;
    bins[j0 + 1] += h0;
    bins[j1 + 1] += h1;
    bins[j2 + 1] += h2;
    bins[j3 + 1] += h3;
    bins[j0 + 2] += q0 - h0;
    bins[j1 + 2] += q1 - h1;
    bins[j2 + 2] += q2 - h2;
    bins[j3 + 2] += q3 - h3;
  }
  loopMinKey = minKey;
  loopMaxKey = maxKey;
  return i;
}

/** One value of any kind, straight into the tally's bins. */
function foldOneFloat32(x: number, bits: number, tally: Float32Tally): void {
  const e = (bits >>> 23) & 255;
  if (e === 255 && bits & 0x7fffff) {
    tally.nanCount++;
    return;
  }
  const key = floatKey(bits);
  if (key < tally.minKey) tally.minKey = key;
  if (key > tally.maxKey) tally.maxKey = key;
  if (e === 255) {
    if (x > 0) tally.posInfCount++;
    else tally.negInfCount++;
    return;
  }
  const bins = tally.bins;
  const j = e << 2;
  bins[j] += x;
  const q = x * x;
  const m = SQUARE_SPLIT[e];
  const h = q + m - m;
  bins[j + 1] += h;
  bins[j + 2] += q - h;
}

/** Moves the bins into the exact sums and empties them. */
export function flushFloat32(tally: Float32Tally, sum: ExactSum, squares: ExactSum): void {
  const bins = tally.bins;
  for (let j = 0; j < COPY; j += STRIDE) {
    if (bins[j] !== 0) sum.add(bins[j]);
    if (bins[j + 1] !== 0) squares.add(bins[j + 1]);
    if (bins[j + 2] !== 0) squares.add(bins[j + 2]);
  }
  bins.fill(0);
  tally.pending = 0;
}
