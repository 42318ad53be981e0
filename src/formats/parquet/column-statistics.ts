/**
 * A column chunk's min and max as Parquet writes them in its Statistics: the plain encoding
 * of the value in the column's physical type (INT32 for 8-, 16- and 32-bit integers, INT64,
 * FLOAT, DOUBLE). The rules are arrow-rs's, so that a row group sluice encodes itself has the
 * statistics parquet-wasm gave it: NaN is left out (a chunk of NaN only has no min or max),
 * a zero min is written as −0 and a zero max as +0, unsigned integers compare as unsigned.
 */
import type { DType, TypedArray } from '../../core/dtype.ts';

export interface MinMax {
  /** The plain-encoded min and max, or undefined when no value counts (NaN only, or no rows). */
  readonly min: Uint8Array;
  readonly max: Uint8Array;
}

/** Width in bytes of a dtype's Parquet physical type. */
export function physicalWidth(dtype: DType): 4 | 8 {
  return dtype === 'int64' || dtype === 'uint64' || dtype === 'float64' ? 8 : 4;
}

/** The min and max of `values` (one value per row), encoded; undefined when none counts. */
export function columnMinMax(dtype: DType, values: TypedArray): MinMax | undefined {
  if (values.length === 0) return undefined;
  switch (dtype) {
    case 'float32':
    case 'float64':
      return floatMinMax(dtype, values as Float32Array | Float64Array);
    case 'int64':
    case 'uint64':
      return bigMinMax(values as BigInt64Array | BigUint64Array);
    default:
      return intMinMax(
        values as Exclude<TypedArray, BigInt64Array | BigUint64Array | Float32Array | Float64Array>,
      );
  }
}

function floatMinMax(dtype: 'float32' | 'float64', values: Float32Array | Float64Array): MinMax | undefined {
  const range = values instanceof Float32Array ? float32Range(values) : float64Range(values);
  if (range === undefined) return undefined;
  const min = range[0] === 0 ? -0 : range[0];
  const max = range[1] === 0 ? 0 : range[1];
  return dtype === 'float32'
    ? { min: encode(new Float32Array([min])), max: encode(new Float32Array([max])) }
    : { min: encode(new Float64Array([min])), max: encode(new Float64Array([max])) };
}

/*
 * One loop per array type, on purpose: a loop that reads both Float32Array and Float64Array
 * turns polymorphic and ran at a third of the speed; and two lanes of bounds, since one pair
 * chains every compare to the last (1.4 → 0.5 ns a value). NaN fails both comparisons, so it is
 * skipped without a test of its own; only a chunk of NaN only leaves the range reversed
 * (+Infinity, −Infinity), as every other value, infinities included, moves both bounds.
 */
function float32Range(values: Float32Array): [number, number] | undefined {
  let min0 = Infinity;
  let max0 = -Infinity;
  let min1 = Infinity;
  let max1 = -Infinity;
  const even = values.length & ~1;
  for (let i = 0; i < even; i += 2) {
    const a = values[i];
    const b = values[i + 1];
    min0 = a < min0 ? a : min0;
    max0 = a > max0 ? a : max0;
    min1 = b < min1 ? b : min1;
    max1 = b > max1 ? b : max1;
  }
  if (even < values.length) {
    const a = values[even];
    min0 = a < min0 ? a : min0;
    max0 = a > max0 ? a : max0;
  }
  return joinLanes(min0, max0, min1, max1);
}

function float64Range(values: Float64Array): [number, number] | undefined {
  let min0 = Infinity;
  let max0 = -Infinity;
  let min1 = Infinity;
  let max1 = -Infinity;
  const even = values.length & ~1;
  for (let i = 0; i < even; i += 2) {
    const a = values[i];
    const b = values[i + 1];
    min0 = a < min0 ? a : min0;
    max0 = a > max0 ? a : max0;
    min1 = b < min1 ? b : min1;
    max1 = b > max1 ? b : max1;
  }
  if (even < values.length) {
    const a = values[even];
    min0 = a < min0 ? a : min0;
    max0 = a > max0 ? a : max0;
  }
  return joinLanes(min0, max0, min1, max1);
}

/** The two lanes' bounds as one range, −0 and +0 kept as the first lane met them. */
function joinLanes(min0: number, max0: number, min1: number, max1: number): [number, number] | undefined {
  const min = min1 < min0 ? min1 : min0;
  const max = max1 > max0 ? max1 : max0;
  return min <= max ? [min, max] : undefined;
}

/** 8-, 16- and 32-bit integers: compared as numbers, written as INT32 (uint32 as its bit pattern). */
function intMinMax(
  values: Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array,
): MinMax {
  let min = values[0];
  let max = values[0];
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min: encode(new Int32Array([min | 0])), max: encode(new Int32Array([max | 0])) };
}

function bigMinMax(values: BigInt64Array | BigUint64Array): MinMax {
  let min = values[0];
  let max = values[0];
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const Wide = values instanceof BigInt64Array ? BigInt64Array : BigUint64Array;
  return { min: encode(new Wide([min] as never)), max: encode(new Wide([max] as never)) };
}

function encode(value: TypedArray): Uint8Array {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}
