/**
 * Numbers as CSV text, written as ASCII bytes into a reused buffer (no string per value where
 * it can be helped): the shortest decimal that reads back to the same value in its dtype
 * (float32 as float32, float64 as JS `String` gives it), whole floats with `.0` (so pandas
 * reads the column back as float), int64 exactly, non-finite values as nan, inf, -inf (as
 * numpy.savetxt). `formatNumber` is the definition; the byte writers give the same text.
 */
import type { DType } from '../../core/dtype.ts';

/**
 * The shortest decimal that reads back to `x` in `dtype`: JS `String` is shortest round-trip
 * for float64; float32 needs the fewest digits (≤ 9) that round back under Math.fround. A
 * float column's whole numbers keep a decimal point (`1000.0`, as numpy and pandas write
 * them), so pandas.read_csv reads the column back as float, not int64.
 */
export function formatNumber(x: number, dtype: DType): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (dtype !== 'float32' && dtype !== 'float64') return String(x);
  return asFloatText(dtype === 'float64' || x === 0 ? String(x) : shortestFloat32(x));
}

function shortestFloat32(x: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return String(candidate);
  }
  return String(Number(x.toPrecision(9)));
}

/** `1000` → `1000.0`; `1.5`, `1e+21` and `1e-7` already read as floats. */
function asFloatText(text: string): string {
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

/** ASCII text gathered in a buffer that grows, never per value. */
export class TextBytes {
  bytes = new Uint8Array(1 << 16);
  length = 0;

  /** Room for `n` more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** Appends an ASCII string (room reserved by the caller). */
  ascii(text: string): void {
    const { bytes } = this;
    let at = this.length;
    for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
    this.length = at;
  }
}

/** The most bytes one value takes (`-1.2345678901234567e-308`, a 20-digit int64). */
export const MAX_VALUE_BYTES = 32;

const MINUS = 45;
const DOT = 46;
const ZERO = 48;

/** A float64 value: `String(x)`, with `.0` when it reads as a whole number. */
export function writeFloat64(out: TextBytes, x: number): void {
  if (x !== x || x === Infinity || x === -Infinity) return out.ascii(formatNumber(x, 'float64'));
  const text = String(x);
  const { bytes } = out;
  let at = out.length;
  let whole = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 57 || (c < ZERO && c !== MINUS)) whole = false;
    bytes[at++] = c;
  }
  if (whole) {
    bytes[at++] = DOT;
    bytes[at++] = ZERO;
  }
  out.length = at;
}

/** An integer value (a number or a bigint) as decimal digits. */
export function writeInteger(out: TextBytes, x: number | bigint): void {
  out.ascii(typeof x === 'bigint' ? x.toString() : String(x));
}

/** 10^0 … 10^22: exact doubles, so a product or quotient with one is correctly rounded. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const DIGITS = new Uint8Array(20);

/**
 * A float32 value: the same text as `formatNumber(x, 'float32')`, found without strings.
 * The d-digit candidate is round(|x| · 10^s) (s = d − 1 − exponent), computed in doubles: the
 * product's error is below 2^-22 of a unit, so the rounding is the exact one unless the
 * product lies that close to a half, which goes to `formatNumber`. The candidate q·10^-s is
 * then one correctly rounded double operation, the very double `Number(x.toPrecision(d))`
 * gives. For x not a power of two its float32 rounding interval is symmetric, and a finer
 * grid's nearest point is never farther, so "d digits read back" holds from some d on: the
 * search starts at 7 and walks to the smallest. Powers of two (an asymmetric interval),
 * subnormals and exponents past 10^±22 take `formatNumber`.
 */
export function writeFloat32(out: TextBytes, x: number): void {
  const ax = Math.abs(x);
  if (!(ax > 0) || ax === Infinity || isPowerOfTwo(ax)) return out.ascii(formatNumber(x, 'float32'));
  let exponent = Math.floor(Math.log10(ax));
  // The 9-digit scaling must give 9 digits: correct a log10 that was off by one.
  let p9 = scaled(ax, 8 - exponent);
  if (p9 >= 1e9) p9 = scaled(ax, 8 - ++exponent);
  else if (p9 < 1e8) p9 = scaled(ax, 8 - --exponent);
  if (!(p9 >= 1e8 && p9 < 1e9) || exponent > 13 || exponent < -13)
    return out.ascii(formatNumber(x, 'float32'));
  let digits = 7;
  let q = candidate(ax, digits, exponent);
  if (q > 0) {
    for (let fewer = candidate(ax, digits - 1, exponent); digits > 1 && fewer > 0;) {
      q = fewer;
      digits--;
      fewer = digits > 1 ? candidate(ax, digits - 1, exponent) : 0;
    }
    if (digits > 1 && candidate(ax, digits - 1, exponent) < 0) q = -1;
  } else if (q === 0) {
    for (digits = 8; digits <= 9 && q === 0; digits++) q = candidate(ax, digits, exponent);
    digits--;
  }
  if (!(q > 0)) return out.ascii(formatNumber(x, 'float32'));
  writeDecimal(out, x < 0, q, digits - 1 - exponent);
}

/** ax · 10^s, correctly rounded. */
function scaled(ax: number, s: number): number {
  return s >= 0 ? ax * POW10[s] : ax / POW10[-s];
}

/**
 * The d-digit integer q (ax ≈ q · 10^-s) when it reads back to ax; 0 when it does not; -1
 * when the product is too close to a half to round in doubles (the caller then falls back).
 */
function candidate(ax: number, d: number, exponent: number): number {
  const s = d - 1 - exponent;
  const p = scaled(ax, s);
  const q = Math.round(p);
  const half = p - Math.floor(p) - 0.5;
  if (half < 2e-7 && half > -2e-7) return -1;
  const value = s >= 0 ? q / POW10[s] : q * POW10[-s];
  return Math.fround(value) === ax ? q : 0;
}

function isPowerOfTwo(ax: number): boolean {
  bits[0] = ax;
  return words[0] === 0 && (words[1] & 0xfffff) === 0;
}

/**
 * q · 10^-s (q a positive integer below 2^53) as JS `Number.prototype.toString` writes that
 * double, then `.0` when it reads as a whole number: digits with a point for decimal
 * exponents −7 < n ≤ 21, else `d.ddde±n`.
 */
function writeDecimal(out: TextBytes, negative: boolean, q: number, s: number): void {
  while (q % 10 === 0) {
    q /= 10;
    s--;
  }
  // The digits, least significant first.
  let k = 0;
  for (let v = q; v > 0; v = Math.floor(v / 10)) DIGITS[k++] = ZERO + (v % 10);
  const n = k - s; // the value is 0.<digits> · 10^n
  const { bytes } = out;
  let at = out.length;
  if (negative) bytes[at++] = MINUS;
  if (k <= n && n <= 21) {
    for (let i = 0; i < k; i++) bytes[at++] = DIGITS[k - 1 - i];
    for (let i = k; i < n; i++) bytes[at++] = ZERO;
    bytes[at++] = DOT;
    bytes[at++] = ZERO;
  } else if (0 < n && n <= 21) {
    for (let i = 0; i < n; i++) bytes[at++] = DIGITS[k - 1 - i];
    bytes[at++] = DOT;
    for (let i = n; i < k; i++) bytes[at++] = DIGITS[k - 1 - i];
  } else if (-6 < n && n <= 0) {
    bytes[at++] = ZERO;
    bytes[at++] = DOT;
    for (let i = n; i < 0; i++) bytes[at++] = ZERO;
    for (let i = 0; i < k; i++) bytes[at++] = DIGITS[k - 1 - i];
  } else {
    bytes[at++] = DIGITS[k - 1];
    if (k > 1) {
      bytes[at++] = DOT;
      for (let i = 1; i < k; i++) bytes[at++] = DIGITS[k - 1 - i];
    }
    out.length = at;
    out.ascii(n - 1 < 0 ? `e-${1 - n}` : `e+${n - 1}`);
    return;
  }
  out.length = at;
}
