import { describe, expect, it } from 'vitest';
import type { FieldLayout } from '../../src/io/decode.ts';
import { decodeContiguous, decodeRecords, gatherField, swapInPlace } from '../../src/io/decode.ts';
import { valuesOf as list } from '../sources/source-harness.ts';

describe('decodeContiguous', () => {
  it('views native aligned data without copying', () => {
    const bytes = Buffer.from(new Float32Array([1.5, -2, Number.NaN]).buffer);
    const data = decodeContiguous(bytes, false, 'float32', true);
    expect(data.buffer).toBe(bytes.buffer);
    expect(list(data)).toEqual([1.5, -2, Number.NaN]);
  });

  it('swaps private big-endian data in place and views it', () => {
    const bytes = Buffer.from([0x00, 0x01, 0xff, 0xfe]);
    const data = decodeContiguous(bytes, true, 'int16', false);
    expect(data.buffer).toBe(bytes.buffer);
    expect(list(data)).toEqual([1, -2]);
  });

  it('copies shared big-endian data once, leaving the source bytes alone', () => {
    const bytes = Buffer.from([0x00, 0x01, 0xff, 0xfe]);
    const data = decodeContiguous(bytes, false, 'int16', false);
    expect(data.buffer).not.toBe(bytes.buffer);
    expect(list(data)).toEqual([1, -2]);
    expect(Array.from(bytes)).toEqual([0x00, 0x01, 0xff, 0xfe]);
  });

  it('copies unaligned data', () => {
    const backing = Buffer.alloc(17);
    backing.writeDoubleLE(Math.PI, 1);
    backing.writeDoubleLE(-0, 9);
    const data = decodeContiguous(backing.subarray(1), true, 'float64', true);
    expect(list(data)).toEqual([Math.PI, -0]);
  });

  it('keeps 64-bit integers as bigints', () => {
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64BE(2n ** 64n - 2n);
    expect(decodeContiguous(bytes, false, 'uint64', false)).toEqual(new BigUint64Array([2n ** 64n - 2n]));
  });
});

describe('gatherField and decodeRecords', () => {
  /** Records of 11 bytes (nothing aligned): u8 a, >f8 b, <i16 c. */
  const rows = 3;
  const record = 11;
  const fields: FieldLayout[] = [
    { name: 'a', dtype: 'uint8', littleEndian: true, width: 1, offset: 0 },
    { name: 'b', dtype: 'float64', littleEndian: false, width: 1, offset: 1 },
    { name: 'c', dtype: 'int16', littleEndian: true, width: 1, offset: 9 },
  ];
  const bytes = Buffer.alloc(rows * record);
  for (let r = 0; r < rows; r++) {
    bytes.writeUInt8(200 + r, r * record);
    bytes.writeDoubleBE(r - 0.25, r * record + 1);
    bytes.writeInt16LE(-300 * r, r * record + 9);
  }

  it('gathers unaligned interleaved fields byte by byte', () => {
    const columns = decodeRecords(bytes, true, rows, record, fields);
    expect(list(columns.a.data)).toEqual([200, 201, 202]);
    expect(list(columns.b.data)).toEqual([-0.25, 0.75, 1.75]);
    expect(list(columns.c.data)).toEqual([0, -300, -600]);
  });

  it('gathers aligned fields by 32-bit words, keeping NaN payloads and int64 bits', () => {
    // Records of 16 bytes: <i8 at 0, <f8 at 8 holding a signalling NaN payload.
    const n = 4;
    const buf = Buffer.alloc(n * 16);
    for (let r = 0; r < n; r++) {
      buf.writeBigInt64LE(-(2n ** 62n) - BigInt(r), r * 16);
      buf.writeUInt32LE(0x00000001 + r, r * 16 + 8);
      buf.writeUInt32LE(0x7ff00000, r * 16 + 12);
    }
    const i64 = gatherField(buf, n, 16, {
      name: 'i',
      dtype: 'int64',
      littleEndian: true,
      width: 1,
      offset: 0,
    });
    expect(i64).toEqual(new BigInt64Array([0, 1, 2, 3].map((r) => -(2n ** 62n) - BigInt(r))));
    const f64 = gatherField(buf, n, 16, {
      name: 'f',
      dtype: 'float64',
      littleEndian: true,
      width: 1,
      offset: 8,
    });
    const words = new Uint32Array(f64.buffer);
    expect(Array.from(words)).toEqual([1, 0x7ff00000, 2, 0x7ff00000, 3, 0x7ff00000, 4, 0x7ff00000]);
  });

  it('gathers big-endian 4-byte fields of EPOS-like records in one pass, by bit pattern', () => {
    // Records of 12 bytes: >f4, >u4, >f4; the floats include a signalling NaN payload and -0.
    const floats = [1.5, -0, Infinity, Math.fround(3.4e38), Math.fround(1e-45)];
    const n = floats.length;
    const buf = Buffer.alloc(n * 12);
    for (let r = 0; r < n; r++) {
      buf.writeFloatBE(floats[r], r * 12);
      buf.writeUInt32BE(0xfedcba98 - r, r * 12 + 4);
      buf.writeUInt32BE(r === 2 ? 0x7f800001 : 0x3f800000 + r, r * 12 + 8);
    }
    const field = (name: string, dtype: 'float32' | 'uint32', offset: number) =>
      gatherField(buf, n, 12, { name, dtype, littleEndian: false, width: 1, offset });
    const x = field('x', 'float32', 0) as Float32Array;
    expect(floats.every((v, r) => Object.is(x[r], v))).toBe(true);
    expect(list(field('u', 'uint32', 4))).toEqual([0, 1, 2, 3, 4].map((r) => 0xfedcba98 - r));
    const payload = field('y', 'float32', 8);
    expect(Array.from(new Uint32Array(payload.buffer, payload.byteOffset, n))).toEqual([
      0x3f800000, 0x3f800001, 0x7f800001, 0x3f800003, 0x3f800004,
    ]);
    expect(Array.from(buf.subarray(0, 4))).toEqual([0x3f, 0xc0, 0, 0]); // the records are not touched
  });

  it('gathers width-k fields row-major', () => {
    // Records: <u2 id, then three >i2 values.
    const buf = Buffer.alloc(2 * 8);
    for (let r = 0; r < 2; r++)
      for (let j = 0; j < 3; j++) buf.writeInt16BE(10 * r + j - 5, r * 8 + 2 + 2 * j);
    const v = gatherField(buf, 2, 8, { name: 'v', dtype: 'int16', littleEndian: false, width: 3, offset: 2 });
    expect(list(v)).toEqual([-5, -4, -3, 5, 6, 7]);
  });

  it('returns an empty array for zero rows', () => {
    expect(gatherField(Buffer.alloc(0), 0, 8, fields[1]).length).toBe(0);
  });

  it('swaps 2, 4 and 8 byte values and refuses other sizes', () => {
    const b = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
    swapInPlace(b, 8);
    expect(Array.from(b)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    swapInPlace(b, 4);
    expect(Array.from(b)).toEqual([5, 6, 7, 8, 1, 2, 3, 4]);
    expect(() => swapInPlace(b, 3)).toThrow(RangeError);
  });
});
