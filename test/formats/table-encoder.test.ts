import { describe, expect, it } from 'vitest';
import { RecordPacker, toBytes } from '../../src/formats/table-encoder.ts';

describe('RecordPacker', () => {
  it('packs each row as column 0, then column 1, ..., with no padding, bit for bit', () => {
    const a = new Float32Array([1.5, -2]);
    const seg = new Float64Array([1, 2, 3, 4]);
    const b = new Int16Array([7, -8]);
    const nan = new Float64Array([NaN, 0]);
    new DataView(nan.buffer).setUint32(0, 0x7ff80001, true); // a NaN payload must survive
    const packed = new RecordPacker().pack(
      [
        { column: { name: 'a', dtype: 'float32', width: 1 }, data: a },
        { column: { name: 'seg', dtype: 'float64', width: 2 }, data: seg },
        { column: { name: 'b', dtype: 'int16', width: 1 }, data: b },
        { column: { name: 'n', dtype: 'float64', width: 1 }, data: nan },
      ],
      2,
    );
    const recordSize = 4 + 16 + 2 + 8;
    expect(packed.length).toBe(2 * recordSize);
    const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
    expect([view.getFloat32(0, true), view.getFloat64(4, true), view.getFloat64(12, true)]).toEqual([
      1.5, 1, 2,
    ]);
    expect(view.getInt16(20, true)).toBe(7);
    expect(view.getUint32(22, true)).toBe(0x7ff80001);
    expect([view.getFloat32(30, true), view.getFloat64(34, true), view.getFloat64(42, true)]).toEqual([
      -2, 3, 4,
    ]);
    expect(view.getInt16(50, true)).toBe(-8);
  });

  it('reuses its buffer: the result is valid until the next pack', () => {
    const packer = new RecordPacker();
    const chunk = (v: number) => [
      { column: { name: 'x', dtype: 'uint8' as const, width: 1 }, data: new Uint8Array([v]) },
    ];
    const first = packer.pack(chunk(1), 1);
    packer.pack(chunk(2), 1);
    expect(first[0]).toBe(2);
    expect(packer.pack(chunk(3), 0).length).toBe(0);
  });
});

describe('toBytes', () => {
  it('is a view of the array, not a copy', () => {
    const data = new Uint16Array([0x0102, 0x0304]).subarray(1);
    const bytes = toBytes(data);
    expect(Array.from(bytes)).toEqual([0x04, 0x03]);
    expect(bytes.buffer).toBe(data.buffer);
  });
});
