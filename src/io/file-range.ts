import { constants as bufferConstants } from 'node:buffer';
import { SluiceError } from '../core/errors.ts';
import type { FileBytes } from './mapped-file.ts';

/**
 * Range checks and error shapes both backends share, so `read` and `mmap` fail the same way
 * for the same request.
 */

/** The largest Buffer this Node can hand out (4 GiB on Node 20): one acquire at most. */
export const MAX_ACQUIRE_BYTES = bufferConstants.MAX_LENGTH;

/** Throws unless [offset, offset + length) is a valid range inside a file of `size` bytes. */
export function checkRange(path: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new SluiceError('RANGE_INVALID', `invalid byte range: offset ${offset}, length ${length}`, {
      path,
      hint: 'Offsets and lengths are non-negative integers (this is a bug in the calling source).',
    });
  }
  if (length > MAX_ACQUIRE_BYTES) {
    throw new SluiceError(
      'RANGE_INVALID',
      `cannot take ${length} bytes at once (limit ${MAX_ACQUIRE_BYTES})`,
      {
        path,
        offset,
        hint: 'Use a smaller chunk size.',
      },
    );
  }
  if (offset + length > size) throw shortReadError(path, size, offset + length);
}

/** The file ends at `end` although the caller needed bytes up to `wanted`. */
export function shortReadError(path: string, end: number, wanted: number): SluiceError {
  return new SluiceError('IO_SHORT_READ', `file ends at byte ${end}, but bytes up to ${wanted} were needed`, {
    path,
    offset: end,
    hint: 'The file is truncated (or was truncated while being read), or its header claims more data than it holds.',
  });
}

/** Wraps a failed system call (EIO, EISDIR, ENOMEM, ...) into IO_READ. */
export function ioReadError(
  path: string,
  offset: number | undefined,
  cause: unknown,
  hint?: string,
): SluiceError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SluiceError('IO_READ', `cannot read ${path}: ${reason}`, {
    path,
    offset,
    cause,
    hint: hint ?? 'Check that the file is readable and the disk is healthy.',
  });
}

export function closedError(path: string): SluiceError {
  return new SluiceError('IO_READ', `${path} was already closed`, {
    path,
    hint: 'A source read from its file after close() (this is a bug in the calling source).',
  });
}

/** A zero-length range: nothing to read or map. */
export function emptyBytes(writable: boolean): FileBytes {
  return { bytes: Buffer.alloc(0), writable, release: () => {} };
}
