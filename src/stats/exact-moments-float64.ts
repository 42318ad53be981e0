/**
 * The float64 kernel of ExactMoments: exact Σx and Σx² gathered in float64 bins, one set of six
 * bins per float64 exponent, with no rounding anywhere.
 *
 * For x = m·2^(e-52) (e unbiased, 2^52 ≤ m < 2^53):
 * - Σx: rounding x to a multiple of 2^(e-26) ((x + M) - M, exact) cuts it into two pieces of at
 *   most 27 and 26 bits above their units, so a bin adds 2^26 pieces exactly.
 * - Σx²: Dekker's product with Veltkamp's split gives x² = h + l exactly (h = fl(x²)), and the
 *   same rounding cuts h at 2^(2e-25) and l at 2^(2e-78) into pieces of at most 27 bits each.
 * This needs |x| in [2^-480, 2^491) (no overflow in x², no underflow in l). The rare values
 * outside (zeros, subnormals, huge, non-finite) go one by one through foldOneFloat64, which
 * scales a finite one by 2^±600 (exact) into the range and bins it in a separate, scaled set.
 *
 * Speed (V8): as in the float32 kernel, the hot loop bins into SCRATCH, a module-level array
 * whose address and length V8 knows, with two copies for even and odd elements; foldFloat64
 * moves the rows it touched into the tally's bins and empties them before it returns.
 */
import type { ExactSum } from './exact-sum.ts';

/** Unbiased exponents the bins cover: FIRST_EXPONENT .. FIRST_EXPONENT + EXPONENTS - 1. */
const FIRST_EXPONENT = -480;
const EXPONENTS = 971;
const FIRST_BIASED = FIRST_EXPONENT + 1023;
/** Bins per exponent: Σ high(x), Σ low(x), Σ high(h), Σ low(h), Σ high(l), Σ low(l), 2 unused. */
const STRIDE = 8;
const SET = EXPONENTS * STRIDE;
/** A tally's scaled sets for rare values (rareBins): x·2^-600 (huge), then x·2^600 (tiny). */
const HUGE_SET = 0;
const TINY_SET = SET;
const RARE_SCALE = 600;

/** Values between flushes: at most 2^26 per bin, where pieces of up to 2^27 units stay below 2^53. */
export const FLOAT64_FLUSH_EVERY = 2 ** 26;

/** Veltkamp's splitter for doubles: 2^27 + 1. */
const SPLITTER = 134217729;
/** Per exponent: 1.5·2^52 times the unit of the cut of x, of h and of l. */
const X_SPLIT = Float64Array.from({ length: EXPONENTS }, (_, k) => 1.5 * 2 ** (k + FIRST_EXPONENT + 26));
const H_SPLIT = Float64Array.from(
  { length: EXPONENTS },
  (_, k) => 1.5 * 2 ** (2 * (k + FIRST_EXPONENT) + 27),
);
const L_SPLIT = Float64Array.from(
  { length: EXPONENTS },
  (_, k) => 1.5 * 2 ** (2 * (k + FIRST_EXPONENT) - 26),
);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Offset of the high 32-bit word of element i at words[2 * i + HIGH_WORD]. */
const HIGH_WORD = LITTLE_ENDIAN ? 1 : 0;

/** The hot loop's bins (two copies of the common set); all zero between calls of foldFloat64. */
const SCRATCH = new Float64Array(2 * SET);
/** Calls shorter than this bin straight into the tally. */
const SHORT_CALL = 64;

/**
 * The hot loop's extremes and the exponent rows it touched, in and out: module variables, which
 * need no type feedback (a property store after an OSR-compiled loop would deopt; see float32).
 */
let loopMin = 0;
let loopMax = 0;
let loopLowRow = 0;
let loopHighRow = 0;

const DOUBLE = new Float64Array(1);
const DOUBLE_WORDS = new Uint32Array(DOUBLE.buffer);

/** Bins and running extremes of one accumulator, kept between calls until flushed. */
export class Float64Tally {
  /** The common set (62 KB). */
  readonly bins = new Float64Array(SET);
  /** The huge and the tiny set, allocated for the first value that needs one. */
  rareBins?: Float64Array;
  pending = 0;
  nanCount = 0;
  posInfCount = 0;
  negInfCount = 0;
  min = Infinity;
  max = -Infinity;
}

/** Folds values[start, end) into the tally; `words` is a Uint32Array view of the same memory. */
export function foldFloat64(
  values: Float64Array,
  words: Uint32Array,
  start: number,
  end: number,
  tally: Float64Tally,
): void {
  if (end - start < SHORT_CALL) {
    for (let i = start; i < end; i++) foldOneFloat64(values[i], tally);
    return;
  }
  loopLowRow = EXPONENTS;
  loopHighRow = -1;
  for (let i = start; i < end;) {
    loopMin = tally.min;
    loopMax = tally.max;
    i = foldCommonFloat64(values, words, i, end);
    tally.min = loopMin;
    tally.max = loopMax;
    // Stopped at a pair with a rare value, or at the last value.
    const stop = Math.min(end, i + 2);
    for (; i < stop; i++) foldOneFloat64(values[i], tally);
  }
  drainScratch(tally.bins, loopLowRow * STRIDE, (loopHighRow + 1) * STRIDE);
}

/** Adds both scratch copies of bins [from, to) into `bins` and empties them (exact: see the limit). */
function drainScratch(bins: Float64Array, from: number, to: number): void {
  const scratch = SCRATCH;
  for (let j = from; j < to; j++) {
    const sum = scratch[j] + scratch[j + SET];
    if (sum !== 0) bins[j] += sum;
    scratch[j] = scratch[j + SET] = 0;
  }
}

/**
 * The hot loop: two values at a time, one copy of the scratch bins each, until a pair holds a
 * value outside the binned range or one value remains; returns where it stopped. It calls
 * nothing, so that V8 keeps its locals in registers; its extremes and rows go in and out through
 * the loop* module variables.
 */
function foldCommonFloat64(values: Float64Array, words: Uint32Array, start: number, end: number): number {
  const bins = SCRATCH;
  const xSplit = X_SPLIT;
  const hSplit = H_SPLIT;
  const lSplit = L_SPLIT;
  const high = HIGH_WORD;
  // `* 1` (which keeps -0) makes V8 hold these as raw doubles; taken as they come from a
  // module variable they stay boxed, and every iteration would allocate a HeapNumber.
  let min = loopMin * 1;
  let max = loopMax * 1;
  let lowRow = loopLowRow | 0;
  let highRow = loopHighRow | 0;
  let i = start;
  for (; i + 1 < end; i += 2) {
    const k0 = ((words[2 * i + high] >>> 20) & 0x7ff) - FIRST_BIASED;
    const k1 = ((words[2 * i + 2 + high] >>> 20) & 0x7ff) - FIRST_BIASED;
    if (k0 >>> 0 >= EXPONENTS || k1 >>> 0 >= EXPONENTS) break;
    lowRow = Math.min(lowRow, k0, k1);
    highRow = Math.max(highRow, k0, k1);
    const x0 = values[i];
    const x1 = values[i + 1];
    // Never a zero here, so plain comparisons cannot mix up -0 and +0.
    min = Math.min(min, x0, x1);
    max = Math.max(max, x0, x1);
    const j0 = k0 << 3;
    // The second copy starts at SET = 7768, written out so that V8 can bound the index.
    const j1 = (k1 << 3) + 7768;
    const s0 = xSplit[k0];
    const s1 = xSplit[k1];
    const xh0 = x0 + s0 - s0;
    const xh1 = x1 + s1 - s1;
    bins[j0] += xh0;
    bins[j1] += xh1;
    bins[j0 + 1] += x0 - xh0;
    bins[j1 + 1] += x1 - xh1;
    // x² = h + l exactly (Dekker).
    const h0 = x0 * x0;
    const h1 = x1 * x1;
    const c0 = x0 * SPLITTER;
    const c1 = x1 * SPLITTER;
    const a0 = c0 - (c0 - x0);
    const a1 = c1 - (c1 - x1);
    const b0 = x0 - a0;
    const b1 = x1 - a1;
    const l0 = a0 * a0 - h0 + 2 * a0 * b0 + b0 * b0;
    const l1 = a1 * a1 - h1 + 2 * a1 * b1 + b1 * b1;
    const t0 = hSplit[k0];
    const t1 = hSplit[k1];
    const hh0 = h0 + t0 - t0;
    const hh1 = h1 + t1 - t1;
    bins[j0 + 2] += hh0;
    bins[j1 + 2] += hh1;
    bins[j0 + 3] += h0 - hh0;
    bins[j1 + 3] += h1 - hh1;
    const u0 = lSplit[k0];
    const u1 = lSplit[k1];
    const lh0 = l0 + u0 - u0;
    const lh1 = l1 + u1 - u1;
    bins[j0 + 4] += lh0;
    bins[j1 + 4] += lh1;
    bins[j0 + 5] += l0 - lh0;
    bins[j1 + 5] += l1 - lh1;
  }
  loopMin = min;
  loopMax = max;
  loopLowRow = lowRow;
  loopHighRow = highRow;
  return i;
}

/** The lower of two doubles, -0 below +0; the higher, +0 above -0. */
export function lowerOf(a: number, b: number): number {
  return a < b || (a === b && Object.is(a, -0)) ? a : b;
}
export function higherOf(a: number, b: number): number {
  return a > b || (a === b && Object.is(a, 0)) ? a : b;
}

/** One value of any kind, straight into the tally's common set or a scaled set. */
function foldOneFloat64(x: number, tally: Float64Tally): void {
  if (x !== x) {
    tally.nanCount++;
    return;
  }
  tally.min = lowerOf(x, tally.min);
  tally.max = higherOf(x, tally.max);
  if (x === Infinity) tally.posInfCount++;
  else if (x === -Infinity) tally.negInfCount++;
  else if (x !== 0) {
    DOUBLE[0] = x;
    const k = ((DOUBLE_WORDS[HIGH_WORD] >>> 20) & 0x7ff) - FIRST_BIASED;
    if (k >= 0 && k < EXPONENTS) binOneFloat64(x, tally.bins, 0);
    else {
      const rare = (tally.rareBins ??= new Float64Array(2 * SET));
      if (k >= EXPONENTS) binOneFloat64(x * 2 ** -RARE_SCALE, rare, HUGE_SET);
      else binOneFloat64(x * 2 ** RARE_SCALE, rare, TINY_SET);
    }
  }
}

/** Bins one x with |x| in [2^-480, 2^491) into the set starting at `set`. */
function binOneFloat64(x: number, bins: Float64Array, set: number): void {
  DOUBLE[0] = x;
  const k = ((DOUBLE_WORDS[HIGH_WORD] >>> 20) & 0x7ff) - FIRST_BIASED;
  const j = set + (k << 3);
  const s = X_SPLIT[k];
  const xh = x + s - s;
  bins[j] += xh;
  bins[j + 1] += x - xh;
  const h = x * x;
  const c = x * SPLITTER;
  const a = c - (c - x);
  const b = x - a;
  const l = a * a - h + 2 * a * b + b * b;
  const t = H_SPLIT[k];
  const hh = h + t - t;
  bins[j + 2] += hh;
  bins[j + 3] += h - hh;
  const u = L_SPLIT[k];
  const lh = l + u - u;
  bins[j + 4] += lh;
  bins[j + 5] += l - lh;
}

/** Moves the bins into the exact sums and empties them. */
export function flushFloat64(tally: Float64Tally, sum: ExactSum, squares: ExactSum): void {
  flushSet(tally.bins, 0, sum, squares, 0);
  tally.bins.fill(0);
  const rare = tally.rareBins;
  if (rare) {
    flushSet(rare, HUGE_SET, sum, squares, RARE_SCALE);
    flushSet(rare, TINY_SET, sum, squares, -RARE_SCALE);
    rare.fill(0);
  }
  tally.pending = 0;
}

function flushSet(bins: Float64Array, set: number, sum: ExactSum, squares: ExactSum, scale: number): void {
  for (let j = set; j < set + SET; j += STRIDE) {
    for (let b = 0; b < 2; b++) if (bins[j + b] !== 0) sum.addScaled(bins[j + b], scale);
    for (let b = 2; b < 6; b++) if (bins[j + b] !== 0) squares.addScaled(bins[j + b], 2 * scale);
  }
}
