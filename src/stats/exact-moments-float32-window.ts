/**
 * The fast path of the float32 kernel (exact-moments-float32.ts): while the values' exponents
 * stay inside a window [low, high] of WINDOW_WIDTH + 1 exponents, Σx, Σ high(x²) and Σ low(x²)
 * are exact in plain float64 registers, without binning by exponent.
 *
 * Why exact: a float32 of exponent e ≥ low is a multiple of 2^(low−150), and below 2^(high−126):
 * 24 + 12 bits of that unit. A block of at most WINDOW_BLOCK = 2^16 of them sums below 2^52 units,
 * so every partial sum, in any grouping, is a float64 integer multiple of the unit: no rounding.
 * x² is exact in float64 (48 bits), a multiple of 2^(2·low−300) below 2^(2·high−252): 72 bits of
 * that unit. Rounding it to a multiple of 2^(2·low−263) ((q + M) − M, exact) leaves a high part of
 * at most 35 bits and a low part of at most 36 bits of their units; 2^16 of each sum below 2^51
 * and 2^52. After each block (and before the window moves) the three sums go to the ExactSums.
 *
 * A group of four with a value outside the window (zero, subnormal, too small, NaN, infinity)
 * stops the loop; the caller folds it the slow way, or raises the window when a value is above.
 */
import type { ExactSum } from './exact-sum.ts';

/** high − low: 12 more exponents below the highest (values down to 2^-12 of the largest). */
export const WINDOW_WIDTH = 12;
/** Values between flushes of the window sums (see the file comment for the bounds). */
export const WINDOW_BLOCK = 2 ** 16;

/** The window the loop checks against, and the sums and extremes it gathers (module state: see foldCommonFloat32). */
let lowBits = 0;
let highBits = 0;
let split = 0;
let sumX = 0;
let sumHigh = 0;
let sumLow = 0;
let windowMinKey = 0;
let windowMaxKey = 0;

/** The window's highest exponent. */
let windowHigh = 1;

/** Sets the window to exponents [high − WINDOW_WIDTH, high] (at least 1), 1 ≤ high ≤ 254. */
export function setWindow(high: number): void {
  const low = Math.max(1, high - WINDOW_WIDTH);
  windowHigh = high;
  lowBits = low << 23;
  highBits = (high << 23) | 0x7fffff;
  split = 1.5 * 2 ** (2 * low - 263 + 52);
}

export function currentWindowHigh(): number {
  return windowHigh;
}

/** Starts a call: no extremes yet (order keys as in exact-moments-float32.ts). */
export function resetWindowExtremes(): void {
  windowMinKey = 0x7fffffff;
  windowMaxKey = -0x80000000;
}

/** The extremes' keys the loop saw since resetWindowExtremes: [min, max], min > max when none. */
export function windowExtremes(): [number, number] {
  return [windowMinKey, windowMaxKey];
}

/** Adds the window sums to the exact sums and empties them (call before the window moves). */
export function flushWindowSums(sum: ExactSum, squares: ExactSum): void {
  if (sumX !== 0) sum.add(sumX);
  if (sumHigh !== 0) squares.add(sumHigh);
  if (sumLow !== 0) squares.add(sumLow);
  sumX = sumHigh = sumLow = 0;
}

/**
 * Folds groups of four from `start` while every value of a group is inside the window, at most
 * to `end` (≤ start + WINDOW_BLOCK since the last flush); returns where it stopped: at a group
 * with a value outside the window, or with fewer than four values left. Like foldCommonFloat32
 * it calls nothing. Every grouping of the adds is exact (file comment), so each group is summed
 * as a tree and only one add per kind waits on the one before (measured faster than four
 * separate sums, which need more registers than x64 has).
 */
export function foldWindowFloat32(
  values: Float32Array,
  bits: Int32Array,
  start: number,
  end: number,
): number {
  const low = lowBits | 0;
  const high = highBits | 0;
  const m = split;
  let s = 0;
  let h = 0;
  let l = 0;
  let minKey = windowMinKey | 0;
  let maxKey = windowMaxKey | 0;
  const last = end - 3;
  let i = start;
  for (; i < last; i += 4) {
    const b0 = bits[i];
    const b1 = bits[i + 1];
    const b2 = bits[i + 2];
    const b3 = bits[i + 3];
    // |x|'s bits between those of the window's smallest and largest magnitudes, or a sign bit.
    const a0 = b0 & 0x7fffffff;
    const a1 = b1 & 0x7fffffff;
    const a2 = b2 & 0x7fffffff;
    const a3 = b3 & 0x7fffffff;
    if (
      ((a0 - low) |
        (high - a0) |
        (a1 - low) |
        (high - a1) |
        (a2 - low) |
        (high - a2) |
        (a3 - low) |
        (high - a3)) <
      0
    )
      break;
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
    s += x0 + x1 + (x2 + x3);
    const q0 = x0 * x0;
    const q1 = x1 * x1;
    const q2 = x2 * x2;
    const q3 = x3 * x3;
    const g0 = q0 + m - m;
    const g1 = q1 + m - m;
    const g2 = q2 + m - m;
    const g3 = q3 + m - m;
    h += g0 + g1 + (g2 + g3);
    l += q0 - g0 + (q1 - g1) + (q2 - g2 + (q3 - g3));
  }
  sumX += s;
  sumHigh += h;
  sumLow += l;
  windowMinKey = minKey;
  windowMaxKey = maxKey;
  return i;
}
