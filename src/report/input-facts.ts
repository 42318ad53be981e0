/**
 * What identifies an input file: its size, its modification time and a fingerprint of its
 * content. A report names files of many GiB, so the fingerprint does not read them whole: it
 * is the SHA-256 of the size (8 bytes, little-endian), the first MiB and the last MiB — a
 * changed header, a truncated or extended file, or a changed tail all change it, in two reads
 * whatever the size. A file of at most 2 MiB is hashed whole (`whole: true`), and then its
 * fingerprint is `sha256sum`'s.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { InputFacts } from './report-types.ts';

/** The bytes hashed at each end of a file too large to hash whole. */
export const FINGERPRINT_END_BYTES = 1024 * 1024;

/** Size, modification time and fingerprint of `path`; undefined when it cannot be read. */
export async function readInputFacts(path: string): Promise<InputFacts | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile()) return undefined;
    const size = info.size;
    const hash = createHash('sha256');
    const whole = size <= 2 * FINGERPRINT_END_BYTES;
    if (whole) {
      hash.update(await readAt(handle, 0, size));
    } else {
      const sizeBytes = Buffer.alloc(8);
      sizeBytes.writeBigUInt64LE(BigInt(size));
      hash.update(sizeBytes);
      hash.update(await readAt(handle, 0, FINGERPRINT_END_BYTES));
      hash.update(await readAt(handle, size - FINGERPRINT_END_BYTES, FINGERPRINT_END_BYTES));
    }
    return { size, modified: info.mtime, sha256: hash.digest('hex'), whole };
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}
