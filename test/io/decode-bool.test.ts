/** Decoding numpy bools: any non-zero byte is 1, without a copy when the bytes are already 0/1. */
import { describe, expect, it } from 'vitest';
import { decodeRecords, toBoolValues } from '../../src/io/decode.ts';

describe('toBoolValues', () => {
  it('returns clean 0/1 bytes themselves', () => {
    const bytes = Uint8Array.from([0, 1, 1, 0]);
    expect(toBoolValues(bytes, false)).toBe(bytes);
  });

  it('rewrites other bytes in place when writable', () => {
    const bytes = Uint8Array.from([0, 1, 255, 2, 0, 128]);
    expect(toBoolValues(bytes, true)).toBe(bytes);
    expect([...bytes]).toEqual([0, 1, 1, 1, 0, 1]);
  });

  it('copies when the bytes are not to be written (a mapping)', () => {
    const bytes = Uint8Array.from([3, 0, 1]);
    const out = toBoolValues(bytes, false);
    expect([...out]).toEqual([1, 0, 1]);
    expect([...bytes]).toEqual([3, 0, 1]);
  });

  it('decodeRecords applies it to bool fields only', () => {
    const bytes = Uint8Array.from([5, 5, 0, 5, 7, 0]);
    const fields = [
      { name: 'flag', dtype: 'uint8' as const, littleEndian: true, width: 1, offset: 0, bool: true },
      { name: 'raw', dtype: 'uint8' as const, littleEndian: true, width: 1, offset: 1 },
    ];
    const columns = decodeRecords(bytes, false, 3, 2, fields);
    expect([...columns.flag.data]).toEqual([1, 0, 1]);
    expect([...columns.raw.data]).toEqual([5, 5, 0]);
    expect([...bytes]).toEqual([5, 5, 0, 5, 7, 0]);
  });
});
