/**
 * What the in-place patches of a file h5wasm just created (allocate.ts, allocate-chunks.ts)
 * share: the header message to patch, 64-bit fields written at their offsets, and the error
 * when the file is not laid out as they expect, which is a bug in sluice, not bad input.
 */
import type { FileHandle } from 'node:fs/promises';
import { SluiceError } from '../../core/errors.ts';
import type { Message, ReadAt, Superblock } from './layout.ts';
import { readAtHandle, readSuperblock } from './layout.ts';

/** The data a patch places starts on a 4 KiB boundary. */
export const DATA_ALIGNMENT = 4096;

/** A file h5wasm created, open for patching: its length, a reader of it, and its superblock. */
export interface PatchedFile {
  readonly size: number;
  readonly readAt: ReadAt;
  readonly sb: Superblock;
}

/**
 * Reads the superblock of the file h5wasm created at `path`, which must be one of `versions`
 * with 8-byte offsets and lengths and base address 0, as h5wasm writes them.
 */
export async function readPatchedFile(
  handle: FileHandle,
  path: string,
  versions: readonly number[],
  hint: string,
): Promise<PatchedFile> {
  const { size } = await handle.stat();
  const readAt = readAtHandle(handle);
  const sb = await readSuperblock(readAt, size, path);
  const { version, sizeOfOffsets, sizeOfLengths, baseAddress } = sb;
  if (!versions.includes(version) || sizeOfOffsets !== 8 || sizeOfLengths !== 8 || baseAddress !== 0)
    throw unexpectedLayout(path, `superblock version ${version}`, hint);
  return { size, readAt, sb };
}

/** The one message of `type` (not shared); otherwise the layout is unexpected. */
export function onlyMessage(messages: readonly Message[], type: number, path: string, hint: string): Message {
  const found = messages.filter((m) => m.type === type);
  if (found.length !== 1 || found[0].flags & 0x02)
    throw unexpectedLayout(path, `header message ${type}`, hint);
  return found[0];
}

/** Writes `value` as a little-endian 64-bit unsigned integer at `offset`. */
export async function writeUint64(handle: FileHandle, offset: number, value: number): Promise<void> {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
  await writeAll(handle, bytes, offset);
}

/** Writes all of `bytes` at `offset`, looping over partial writes. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array, offset: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, offset + done);
    if (bytesWritten <= 0) throw new SluiceError('IO_WRITE', `${offset}: the write made no progress`);
    done += bytesWritten;
  }
}

export function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The file h5wasm just wrote is not laid out as the patch expects; `hint` says the way round. */
export function unexpectedLayout(path: string, what: string, hint: string): SluiceError {
  return new SluiceError('STAGE_FAILED', `${path}: unexpected ${what} in the HDF5 file h5wasm created`, {
    path,
    hint,
  });
}
