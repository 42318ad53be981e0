/**
 * The one place sluice calls `FileHandle.read`: positioned reads that fill a buffer, split so
 * that no single call asks for more than MAX_READ_BYTES, with every length and position
 * checked first. Node asserts (and aborts the process) when a read's length or position is
 * not an Int32/safe integer, so nothing unchecked may reach it.
 */
import type { FileHandle } from 'node:fs/promises';
import { SluiceError } from '../core/errors.ts';
import { ioReadError, shortReadError } from './file-range.ts';

/** Node's limit for one read(2) call (kIoMaxLength, 2^31 − 1): larger ranges take several calls. */
export const MAX_READ_BYTES = 2 ** 31 - 1;

/** The part of a FileHandle a positioned read needs (a real handle, or a stand-in in tests). */
export type ReadHandle = Pick<FileHandle, 'read'>;

/**
 * Fills `target` with the file's bytes from `offset`, looping over partial reads; a read
 * that returns no bytes is IO_SHORT_READ (the file ends early), a failed call IO_READ.
 * `maxReadBytes` (for tests) is clamped to [1, MAX_READ_BYTES].
 */
export async function readFullyAt(
  handle: ReadHandle,
  target: Uint8Array,
  offset: number,
  path: string,
  maxReadBytes = MAX_READ_BYTES,
): Promise<void> {
  const perCall = Math.max(1, Math.min(MAX_READ_BYTES, Math.floor(maxReadBytes) || 1));
  const end = offset + target.length;
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(end)) {
    throw new SluiceError('RANGE_INVALID', `invalid read: ${target.length} bytes at offset ${offset}`, {
      path,
      hint: 'Offsets and lengths are non-negative integers below 2^53 (this is a bug in the calling source).',
    });
  }
  let filled = 0;
  while (filled < target.length) {
    const wanted = Math.min(target.length - filled, perCall);
    const position = offset + filled;
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(target, filled, wanted, position));
    } catch (error) {
      throw ioReadError(path, position, error);
    }
    if (bytesRead === 0) throw shortReadError(path, position, end);
    filled += bytesRead;
  }
}
