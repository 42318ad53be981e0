/**
 * Exact values as `mantissa · 2^exponent` (a BigInt and a number), and the few operations the
 * exact accumulators need on them, each rounded once, correctly, to the nearest double (ties to
 * even): the value itself, a quotient by a positive integer, and the square root of a quotient.
 * These run once per result, so BigInt is fine here; hot loops never come near this file.
 */

/** An exact binary rational: `mantissa · 2^exponent`. */
export interface ScaledInteger {
  readonly mantissa: bigint;
  readonly exponent: number;
}

const DOUBLE = new Float64Array(1);
const DOUBLE_WORDS = new Uint32Array(DOUBLE.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const TWO_POW_32 = 2 ** 32;
const TWO_POW_52 = 2 ** 52;

/** The lowest exponent a double's last bit can have: every double is a multiple of 2^-1074. */
export const MIN_DOUBLE_EXPONENT = -1074;

/**
 * A finite double as an integer mantissa (|m| < 2^53, a safe integer) and exponent, written into
 * `out` so that loops decomposing many doubles allocate nothing.
 */
export function decomposeDouble(x: number, out: { mantissa: number; exponent: number }): void {
  DOUBLE[0] = x;
  const hi = DOUBLE_WORDS[HI];
  const biased = (hi >>> 20) & 0x7ff;
  const fraction = (hi & 0xfffff) * TWO_POW_32 + DOUBLE_WORDS[LO];
  // A subnormal has no implicit leading bit and the exponent of the smallest normal.
  const magnitude = biased === 0 ? fraction : fraction + TWO_POW_52;
  out.mantissa = hi >>> 31 ? -magnitude : magnitude;
  out.exponent = biased === 0 ? MIN_DOUBLE_EXPONENT : biased - 1075;
}

/** Number of bits of a positive BigInt. */
export function bitLength(value: bigint): number {
  const hex = value.toString(16);
  return 4 * (hex.length - 1) + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/** Number of zero bits below the lowest set bit of a non-zero BigInt. */
export function trailingZeros(value: bigint): number {
  const negative = value < 0n ? -value : value;
  return bitLength(negative & -negative) - 1;
}

/**
 * x · 2^k for an integer x below 2^55, in steps that cannot overflow or underflow on the way:
 * exact whenever the result is a double, and ±Infinity when it is too large for one.
 */
function scaleByPowerOfTwo(x: number, k: number): number {
  let value = x;
  let rest = k;
  while (rest > 1023) {
    value *= 2 ** 1023;
    rest -= 1023;
  }
  while (rest < -1022) {
    value *= 2 ** -1022;
    rest += 1022;
  }
  return value * 2 ** rest;
}

/** `mantissa · 2^exponent` correctly rounded to a double (nearest, ties to even; ±Infinity beyond). */
export function roundToDouble(mantissa: bigint, exponent: number): number {
  if (mantissa === 0n) return 0;
  const negative = mantissa < 0n;
  const magnitude = negative ? -mantissa : mantissa;
  const top = bitLength(magnitude) - 1 + exponent; // the value lies in [2^top, 2^(top+1))
  if (top >= 1024) return negative ? -Infinity : Infinity;
  // The last bit a double keeps: 53 bits below the top, or the subnormal floor.
  const lowest = Math.max(top - 52, MIN_DOUBLE_EXPONENT);
  const dropped = lowest - exponent;
  let kept = magnitude;
  if (dropped > 0) {
    kept = magnitude >> BigInt(dropped);
    const rest = magnitude - (kept << BigInt(dropped));
    const half = 1n << BigInt(dropped - 1);
    if (rest > half || (rest === half && (kept & 1n) === 1n)) kept += 1n;
  }
  const result = scaleByPowerOfTwo(Number(kept), dropped > 0 ? lowest : exponent);
  return negative ? -result : result;
}

/**
 * `q · 2^exponent` where q is known to lie strictly between `quotient` and `quotient + 1` when
 * `inexact`: a sticky bit below the last of at least 55 bits rounds exactly as the true value,
 * because neither can sit on a rounding boundary two or more bits above it.
 */
function roundWithSticky(quotient: bigint, inexact: boolean, exponent: number): number {
  return roundToDouble((quotient << 1n) | (inexact ? 1n : 0n), exponent - 1);
}

/** `(numerator · 2^exponent) / denominator` correctly rounded; `denominator` > 0. */
export function roundedQuotient(numerator: bigint, exponent: number, denominator: bigint): number {
  if (numerator === 0n) return 0;
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  // Scale up so that the integer quotient has at least 55 bits.
  const shift = Math.max(0, 55 + bitLength(denominator) - bitLength(magnitude));
  const scaled = magnitude << BigInt(shift);
  const quotient = scaled / denominator;
  const result = roundWithSticky(quotient, quotient * denominator !== scaled, exponent - shift);
  return negative ? -result : result;
}

/** ⌊√value⌋ for value ≥ 0 (Newton's iteration from above). */
export function integerSqrt(value: bigint): bigint {
  if (value < 2n) return value;
  let x = 1n << BigInt(Math.ceil(bitLength(value) / 2));
  for (;;) {
    const next = (x + value / x) >> 1n;
    if (next >= x) return x;
    x = next;
  }
}

/** `√(numerator · 2^exponent) / denominator` correctly rounded; numerator ≥ 0, denominator > 0. */
export function roundedSqrtQuotient(numerator: bigint, exponent: number, denominator: bigint): number {
  if (numerator < 0n) return NaN;
  if (numerator === 0n) return 0;
  // Make the exponent even so that it halves exactly under the root.
  const odd = exponent % 2 !== 0;
  const radicand = odd ? numerator << 1n : numerator;
  const evenExponent = odd ? exponent - 1 : exponent;
  // Scale by 4^k so that ⌊√radicand⌋ / denominator has at least 55 bits.
  const k = Math.max(0, 57 + bitLength(denominator) - Math.floor(bitLength(radicand) / 2));
  const scaled = radicand << BigInt(2 * k);
  const root = integerSqrt(scaled);
  // ⌊⌊√s⌋ / d⌋ = ⌊√s / d⌋, and √s / d is an integer only if both steps were exact.
  const quotient = root / denominator;
  const inexact = root * root !== scaled || quotient * denominator !== root;
  return roundWithSticky(quotient, inexact, evenExponent / 2 - k);
}

/** a and b over a common exponent (the lower one), for exact addition and comparison. */
export function alignScaled(a: ScaledInteger, b: ScaledInteger): [bigint, bigint, number] {
  if (a.mantissa === 0n) return [0n, b.mantissa, b.exponent];
  if (b.mantissa === 0n) return [a.mantissa, 0n, a.exponent];
  const exponent = Math.min(a.exponent, b.exponent);
  return [a.mantissa << BigInt(a.exponent - exponent), b.mantissa << BigInt(b.exponent - exponent), exponent];
}
