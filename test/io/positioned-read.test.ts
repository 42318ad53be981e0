/**
 * The one positioned-read loop: no call asks for more than 2^31 − 1 bytes (Node aborts the
 * process on a length that is not an Int32), bad positions never reach a read, partial reads
 * and failures become typed errors. The handle is a stand-in that only records its calls, so a
 * 2 GiB + 16 B target costs address space, not memory.
 */
import { describe, expect, it } from 'vitest';
import { MAX_READ_BYTES, readFullyAt } from '../../src/io/positioned-read.ts';
import type { ReadHandle } from '../../src/io/positioned-read.ts';

interface Call {
  readonly offset: number;
  readonly length: number;
  readonly position: number;
}

/** A handle that "reads" up to `perCall` bytes per call (without touching the buffer) from a file of `size` bytes. */
function fakeHandle(size: number, perCall = Infinity): { handle: ReadHandle; calls: Call[] } {
  const calls: Call[] = [];
  const read = (async (_buffer: Uint8Array, offset: number, length: number, position: number) => {
    calls.push({ offset, length, position });
    const bytesRead = Math.max(0, Math.min(length, perCall, size - position));
    return { bytesRead, buffer: _buffer };
  }) as ReadHandle['read'];
  return { handle: { read }, calls };
}

describe('readFullyAt', () => {
  it('splits a read of more than 2^31 − 1 bytes', async () => {
    const length = 2 ** 31 + 16;
    const target = Buffer.allocUnsafeSlow(length);
    const { handle, calls } = fakeHandle(2 ** 33);
    await readFullyAt(handle, target, 4096, 'big.bin');
    expect(calls.map((c) => c.length)).toEqual([MAX_READ_BYTES, 17]);
    expect(calls.map((c) => c.position)).toEqual([4096, 4096 + MAX_READ_BYTES]);
    expect(Math.max(...calls.map((c) => c.length))).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('clamps a larger maxReadBytes to the limit, and loops over partial reads', async () => {
    const { handle, calls } = fakeHandle(100, 7);
    await readFullyAt(handle, new Uint8Array(20), 10, 'f.bin', 2 ** 40);
    expect(calls.map((c) => [c.offset, c.length, c.position])).toEqual([
      [0, 20, 10],
      [7, 13, 17],
      [14, 6, 24],
    ]);
  });

  it.each([
    [-1, 'a negative offset'],
    [Number.NaN, 'NaN'],
    [0.5, 'a fraction'],
    [2 ** 53, 'beyond 2^53'],
    [2 ** 53 - 4, 'an end beyond 2^53'],
  ])('refuses %s (%s) before any read', async (offset) => {
    const { handle, calls } = fakeHandle(100);
    await expect(readFullyAt(handle, new Uint8Array(8), offset, 'f.bin')).rejects.toMatchObject({
      code: 'RANGE_INVALID',
      path: 'f.bin',
    });
    expect(calls).toEqual([]);
  });

  it('a file that ends early is IO_SHORT_READ at the byte it ended', async () => {
    const { handle } = fakeHandle(15);
    await expect(readFullyAt(handle, new Uint8Array(10), 10, 'f.bin')).rejects.toMatchObject({
      code: 'IO_SHORT_READ',
      path: 'f.bin',
      offset: 15,
    });
  });

  it('a failing read is IO_READ with the position', async () => {
    const handle: ReadHandle = {
      read: (() =>
        Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }))) as ReadHandle['read'],
    };
    await expect(readFullyAt(handle, new Uint8Array(4), 8, 'f.bin')).rejects.toMatchObject({
      code: 'IO_READ',
      path: 'f.bin',
      offset: 8,
    });
  });
});
