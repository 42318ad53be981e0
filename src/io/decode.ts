/**
 * File bytes → column arrays (docs/design.md §4). Native-order aligned data becomes a view with
 * no copy; foreign byte order is swapped natively (Buffer#swap16/32/64), in place when the
 * bytes are private, otherwise after one copy; fields interleaved in records are gathered
 * into their own arrays by bit pattern, so NaN payloads and 64-bit integers pass unchanged.
 */
import type { Column } from '../core/batch.ts';
import type { DType, TypedArray } from '../core/dtype.ts';
import { allocArray, arrayConstructorOf, itemSizeOf } from '../core/dtype.ts';
import type { ReusedArrays } from '../core/reused-arrays.ts';

/** Where one column's values sit in a record. */
export interface FieldLayout {
  /** Column name. */
  readonly name: string;
  readonly dtype: DType;
  readonly littleEndian: boolean;
  /** Values per row (a width-k column holds k consecutive values per record). */
  readonly width: number;
  /** Byte offset of the field's first value in the record. */
  readonly offset: number;
  /** numpy booleans (uint8): any non-zero byte reads as 1 (`toBoolValues`). */
  readonly bool?: boolean;
  /** Unit of the values (nm, Da, ...), carried to the schema. */
  readonly unit?: string;
}

export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when values of `dtype` stored in this byte order must be swapped on this host. */
export function needsSwap(dtype: DType, littleEndian: boolean): boolean {
  return itemSizeOf(dtype) > 1 && littleEndian !== HOST_LITTLE_ENDIAN;
}

/**
 * Consecutive values of one type → a column array. A view onto `bytes` when the order is
 * native and the address aligned, or when it is foreign but `writable` (swapped in place:
 * `bytes` is modified); otherwise a copy (`copyAndSwap`).
 */
export function decodeContiguous(
  bytes: Uint8Array,
  writable: boolean,
  dtype: DType,
  littleEndian: boolean,
): TypedArray {
  const size = itemSizeOf(dtype);
  const aligned = bytes.byteOffset % size === 0;
  const swap = needsSwap(dtype, littleEndian);
  if (aligned && (!swap || writable)) {
    if (swap) swapInPlace(bytes, size);
    return new (arrayConstructorOf(dtype))(bytes.buffer, bytes.byteOffset, bytes.length / size);
  }
  return copyAndSwap(bytes, dtype, swap);
}

/** A new array holding a copy of `bytes`, byte-swapped when `swap`. */
export function copyAndSwap(bytes: Uint8Array, dtype: DType, swap: boolean): TypedArray {
  const size = itemSizeOf(dtype);
  const out = allocArray(dtype, bytes.length / size);
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  outBytes.set(bytes);
  if (swap) swapInPlace(outBytes, size);
  return out;
}

/**
 * `rows` records of `recordSize` bytes → one column per field. A record that is a single
 * field is contiguous data (`decodeContiguous`, `bytes` may be swapped in place when
 * `writable`); several fields are gathered into new arrays (`gatherField`), or into the
 * pool's when there is one.
 */
export function decodeRecords(
  bytes: Uint8Array,
  writable: boolean,
  rows: number,
  recordSize: number,
  fields: readonly FieldLayout[],
  pool?: ReusedArrays,
): Record<string, Column> {
  const entries = fields.map((field): [string, Column] => {
    const contiguous = fields.length === 1 && field.offset === 0 && isWholeRecord(field, recordSize);
    const data = contiguous
      ? decodeContiguous(bytes.subarray(0, rows * recordSize), writable, field.dtype, field.littleEndian)
      : gatherField(
          bytes,
          rows,
          recordSize,
          field,
          pool?.take(field.name, arrayConstructorOf(field.dtype), rows * field.width),
        );
    // A gathered field is a fresh (or pooled) array of ours, so it is always writable.
    const values = field.bool ? toBoolValues(data as Uint8Array, writable || !contiguous) : data;
    return [field.name, { data: values, width: field.width }];
  });
  // fromEntries defines own properties, so a field named '__proto__' stays a column.
  return Object.fromEntries(entries);
}

function isWholeRecord(field: FieldLayout, recordSize: number): boolean {
  return itemSizeOf(field.dtype) * field.width === recordSize;
}

/** Word views used to move values by bit pattern. */
type Words = Uint8Array | Uint16Array | Uint32Array;

/**
 * Copies one field of every record into `into` (rows × width values of the field's dtype) or
 * a new array, swapped to native order. Aligned fields move as 1/2/4-byte words (8-byte
 * values as two 4-byte words: no BigInt boxing, no float canonicalisation); unaligned ones
 * byte by byte.
 */
export function gatherField(
  bytes: Uint8Array,
  rows: number,
  recordSize: number,
  field: FieldLayout,
  into?: TypedArray,
): TypedArray {
  const size = itemSizeOf(field.dtype);
  const out = into ?? allocArray(field.dtype, rows * field.width);
  if (rows === 0) return out;
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const unit = size === 8 ? 4 : size;
  const start = bytes.byteOffset + field.offset;
  const available = bytes.length - field.offset;
  const swap = needsSwap(field.dtype, field.littleEndian);
  if (recordSize % unit === 0 && start % unit === 0) {
    const src = wordView(bytes.buffer, start, Math.floor(available / unit), unit);
    const dst = wordView(out.buffer, out.byteOffset, out.byteLength / unit, unit);
    if (swap && size === 4 && field.width === 1) {
      // EPOS/POS fields: gathered and swapped in one pass over the records.
      copyStridedSwapped32(src as Uint32Array, dst as Uint32Array, rows, recordSize / 4);
      return out;
    }
    copyStrided(src, dst, rows, recordSize / unit, (size * field.width) / unit);
  } else {
    copyStrided(bytes.subarray(field.offset), outBytes, rows, recordSize, size * field.width);
  }
  if (swap) swapInPlace(outBytes, size);
  return out;
}

function wordView(buffer: ArrayBufferLike, byteOffset: number, length: number, unit: number): Words {
  if (unit === 4) return new Uint32Array(buffer, byteOffset, length);
  if (unit === 2) return new Uint16Array(buffer, byteOffset, length);
  return new Uint8Array(buffer, byteOffset, length);
}

/** dst[r·perRow + j] = src[r·stride + j]: the hot loop, plain indexed typed-array access. */
function copyStrided(src: Words, dst: Words, rows: number, stride: number, perRow: number): void {
  if (perRow === 1) {
    for (let r = 0, s = 0; r < rows; r++, s += stride) dst[r] = src[s];
    return;
  }
  let d = 0;
  for (let r = 0, s = 0; r < rows; r++, s += stride) {
    for (let j = 0; j < perRow; j++) dst[d++] = src[s + j];
  }
}

/** dst[r] = src[r·stride] with its four bytes reversed (a bit pattern: NaN payloads pass). */
function copyStridedSwapped32(src: Uint32Array, dst: Uint32Array, rows: number, stride: number): void {
  for (let r = 0, s = 0; r < rows; r++, s += stride) {
    const v = src[s];
    dst[r] = (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
  }
}

/** Reverses the bytes of every `size`-byte value of `bytes` with Node's native swaps. */
export function swapInPlace(bytes: Uint8Array, size: number): void {
  if (size === 1 || bytes.length === 0) return;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (size === 2) buffer.swap16();
  else if (size === 4) buffer.swap32();
  else if (size === 8) buffer.swap64();
  else throw new RangeError(`cannot swap ${size}-byte values`);
}

/**
 * numpy's reading of bool bytes: 0 is False, any other byte True (1). Returns `values` itself
 * when every byte is already 0 or 1 (the common case: one read-only scan, no copy); otherwise
 * rewrites the other bytes to 1, in place when `writable`, else in a copy.
 */
export function toBoolValues(values: Uint8Array, writable: boolean): Uint8Array {
  const n = values.length;
  let i = 0;
  while (i < n && values[i] <= 1) i++;
  if (i === n) return values;
  const out = writable ? values : Uint8Array.from(values);
  for (; i < n; i++) if (out[i] > 1) out[i] = 1;
  return out;
}
