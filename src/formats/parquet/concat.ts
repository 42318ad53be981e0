/**
 * Parquet files of the same schema joined into one, without decoding a page (assembler.ts):
 * each part's column chunks are copied byte for byte, in order, and the footer is the first
 * part's with every part's row groups, their offsets moved to where the chunks now are. So a
 * run split into shards that each wrote a part gives one file that every Parquet reader
 * (DuckDB, Polars, pyarrow) reads as one table, with the rows in the parts' order.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { SluiceError } from '../../core/errors.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import type { ParquetFooter, PartBytes } from './assembler.ts';
import { ParquetAssembler, readFooter } from './assembler.ts';

export type { ParquetFooter } from './assembler.ts';

const COPY_BYTES = 8 << 20;

/** Reads and decodes the footer of an open Parquet file. */
export async function readParquetFooter(handle: FileHandle, path: string): Promise<ParquetFooter> {
  return readFooter(await filePart(handle, path, new Uint8Array(COPY_BYTES)));
}

/** Appends the parts, in order, to `out` (empty, just opened) as one Parquet file; returns its rows. */
export async function concatParquetFiles(parts: readonly string[], out: AtomicFile): Promise<number> {
  if (parts.length === 0) throw new SluiceError('USAGE', 'concatParquetFiles: no parts');
  const handles: FileHandle[] = [];
  const buffer = new Uint8Array(COPY_BYTES);
  try {
    const sources: PartBytes[] = [];
    for (const part of parts) {
      const handle = await openPart(part);
      handles.push(handle);
      sources.push(await filePart(handle, part, buffer));
    }
    // Every footer read (and every schema compared) before the first byte is written.
    const footers: ParquetFooter[] = [];
    for (const source of sources) footers.push(await readFooter(source));
    const assembler = new ParquetAssembler(out);
    for (const [p, source] of sources.entries()) assembler.checkSchema(source.path, footers[p].metadata);
    for (const [p, source] of sources.entries()) await assembler.append(source, footers[p]);
    return await assembler.finish();
  } finally {
    await Promise.allSettled(handles.map((h) => h.close()));
  }
}

/** A part on disk, read through `buffer` (shared: one read at a time). */
async function filePart(handle: FileHandle, path: string, buffer: Uint8Array): Promise<PartBytes> {
  const { size } = await handle.stat();
  return {
    path,
    size,
    read: async (offset, length) => {
      if (offset < 0 || offset + length > size)
        throw new SluiceError('FORMAT_INVALID', `${path}: a range outside the file`, { path });
      const n = Math.min(length, buffer.length);
      let done = 0;
      while (done < n) {
        const { bytesRead } = await handle.read(buffer, done, n - done, offset + done);
        if (bytesRead === 0) {
          throw new SluiceError('IO_SHORT_READ', `${path}: ends before byte ${offset + n}`, { path });
        }
        done += bytesRead;
      }
      return buffer.subarray(0, n);
    },
  };
}

async function openPart(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    throw new SluiceError('IO_READ', `${path}: ${(error as Error).message}`, { path, cause: error });
  }
}
