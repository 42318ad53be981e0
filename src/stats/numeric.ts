/**
 * Typed-array helpers the numeric sinks share: array kinds for kernel dispatch, allocation-free
 * int64 reads, and JSON encodings for values JSON has no number for.
 */
import type { TypedArray } from '../core/dtype.ts';
import { HOST_LITTLE_ENDIAN } from '../io/decode.ts';

export type FloatArray = Float32Array | Float64Array;
export type IntArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
export type BigIntArray = BigInt64Array | BigUint64Array;

/** A JSON number, or a string where JSON has none: `"NaN"`, `"Infinity"`, a big integer's digits. */
export type JsonNumber = number | string;

export function isFloatArray(data: TypedArray): data is FloatArray {
  return data instanceof Float64Array || data instanceof Float32Array;
}

export function isBigIntArray(data: TypedArray): data is BigIntArray {
  return data instanceof BigInt64Array || data instanceof BigUint64Array;
}

// --- int64 as two 32-bit words --------------------------------------------------------------
// Reading a BigInt64Array element allocates a BigInt; reading its two 32-bit halves does not.
// `hi * 2^32 + lo` is exact until the final addition, which rounds once to nearest-even:
// the same double as Number(bigint) and as numpy's int64 -> float64 cast.

export const TWO_POW_32 = 4294967296;
/** Offset of the low / high 32-bit word of element i at words[2 * i + offset]. */
export const LO_WORD = HOST_LITTLE_ENDIAN ? 0 : 1;
export const HI_WORD = HOST_LITTLE_ENDIAN ? 1 : 0;

/** The 32-bit words of an int64/uint64 array, as a view (no copy). */
export function toInt64Words(data: BigIntArray): Uint32Array {
  return new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
}

/** Element i of an int64 array (`signed`) or uint64 array, as the nearest double. */
export function int64WordsToNumber(words: Uint32Array, i: number, signed: boolean): number {
  const hi = words[2 * i + HI_WORD];
  return (signed ? hi | 0 : hi) * TWO_POW_32 + words[2 * i + LO_WORD];
}

/** The exact value of a (high word, low word) pair; `hi` is signed for int64. */
export function wordsToBigInt(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) + BigInt(lo);
}

// --- JSON ------------------------------------------------------------------------------------

/** A double for JSON: itself when finite, else `"NaN"`, `"Infinity"` or `"-Infinity"`. */
export function toJsonNumber(value: number): JsonNumber {
  return Number.isFinite(value) ? value : String(value);
}

/** An integer for JSON: a number when a double holds it exactly (|v| ≤ 2^53), else its digits. */
export function toJsonInteger(value: bigint): JsonNumber {
  const limit = 2n ** 53n;
  return value <= limit && value >= -limit ? Number(value) : value.toString();
}

/** A min or max for JSON, whichever kind of column it came from. */
export function toJsonValue(value: number | bigint): JsonNumber {
  return typeof value === 'bigint' ? toJsonInteger(value) : toJsonNumber(value);
}

/** Values as doubles: a view for number arrays, the nearest doubles of 64-bit integers (numpy's cast). */
export function toDoubles(data: TypedArray): ArrayLike<number> {
  if (!isBigIntArray(data)) return data;
  const words = toInt64Words(data);
  const signed = data instanceof BigInt64Array;
  const out = new Float64Array(data.length);
  for (let i = 0; i < out.length; i++) out[i] = int64WordsToNumber(words, i, signed);
  return out;
}
