import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/io/concat-bytes.ts';

describe('concatBytes', () => {
  it('joins the parts in order into a new buffer, views at an offset included', () => {
    const backing = Uint8Array.from([9, 9, 3, 4, 9]);
    const parts = [Uint8Array.from([1, 2]), new Uint8Array(0), backing.subarray(2, 4), Uint8Array.from([5])];
    const joined = concatBytes(parts);
    expect([...joined]).toEqual([1, 2, 3, 4, 5]);
    expect(joined.byteOffset).toBe(0);
    expect(joined.buffer.byteLength).toBe(5);
    backing[2] = 0;
    expect(joined[2]).toBe(3);
  });

  it('is empty for no parts', () => {
    expect(concatBytes([]).length).toBe(0);
  });
});
