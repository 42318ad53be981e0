/**
 * A private copy of a few bytes of a file: what a format reader parses its header or section
 * table from. A copy, because the range is released at once (a mapped range would otherwise
 * pin pages, a pooled buffer be reused under the parser).
 */
import type { MappedFile } from './mapped-file.ts';

/** A copy of [offset, offset + length) of `file`; an empty array for length 0. */
export async function copyRange(file: MappedFile, offset: number, length: number): Promise<Uint8Array> {
  if (length === 0) return new Uint8Array(0);
  const range = await file.acquire(offset, length);
  try {
    return Uint8Array.from(range.bytes);
  } finally {
    range.release();
  }
}
