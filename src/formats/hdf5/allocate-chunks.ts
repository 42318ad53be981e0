/**
 * Storage for a 1-D chunked dataset whose row count is known before the data arrives (the
 * pandas table, pandas-region.ts), so its records can be written straight to the file.
 *
 * h5wasm creates the file in HDF5's earliest format (superblock 0, version 1 object headers:
 * no checksums) with the dataset at its final shape and no chunk allocated (libhdf5 allocates
 * chunks as they are written). Then this appends, after the end of the file, the chunk index
 * (chunk-btree.ts) and, from the next 4 KiB boundary, every chunk back to back in row order,
 * the last one at full size as libhdf5 allocates it; it points the layout message at the
 * index's root and moves the superblock's end-of-file address past the last chunk. Record r
 * is then at `offset + r × rowBytes`. Every value patched keeps its width, so nothing else in
 * the file moves, and the file stays one libhdf5 can extend (HDFStore.append).
 */
import type { FileHandle } from 'node:fs/promises';
import type { SluiceError } from '../../core/errors.ts';
import { btreeBytes, encodeChunkBTree } from './chunk-btree.ts';
import type { Message } from './layout.ts';
import { MSG_DATASPACE, MSG_LAYOUT, readObjectHeader, readUint } from './layout.ts';
import {
  DATA_ALIGNMENT,
  alignUp,
  onlyMessage,
  readPatchedFile,
  unexpectedLayout,
  writeAll,
  writeUint64,
} from './h5wasm-patch.ts';
import { MSG_FILTERS } from './object-header.ts';

/** Where the records of an allocated chunked dataset are. */
export interface ChunkedRows {
  /** File offset of record 0 (a multiple of 4096). */
  readonly offset: number;
  readonly rowBytes: number;
  readonly chunkRows: number;
  /** The file's length: past the last chunk. */
  readonly end: number;
}

const UNEXPECTED_HINT =
  'write with compression: gzip (the table is then written through h5wasm), and please report this';
/** libhdf5's default K of chunk B-trees (HDF5_BTREE_CHUNK_IK_DEF), which superblock 0 implies. */
const DEFAULT_CHUNK_K = 32;

/**
 * Allocates the `rows` records of the dataset whose object header is at `headerAddress`, in
 * the file open as `handle` at `path`. For 0 rows nothing is allocated (offset 0).
 */
export async function allocateChunkedRows(
  handle: FileHandle,
  path: string,
  headerAddress: number,
  rows: number,
): Promise<ChunkedRows> {
  const { size, readAt, sb } = await readPatchedFile(handle, path, [0, 1], UNEXPECTED_HINT);
  const head = await readAt(sb.offset, 32);
  // Superblock 1 stores the chunk B-tree K after the group Ks and the consistency flags.
  const k =
    sb.version === 1 ? new DataView(head.buffer, head.byteOffset).getUint16(24, true) : DEFAULT_CHUNK_K;
  if ((await readAt(headerAddress, 1))[0] !== 1) throw unexpected(path, 'object header version');
  const messages = await readObjectHeader(readAt, size, sb, headerAddress, path);
  if (messages.some((m) => m.type === MSG_FILTERS)) throw unexpected(path, 'filter pipeline');
  const layout = onlyMessage(messages, MSG_LAYOUT, path, UNEXPECTED_HINT);
  const { data } = layout;
  // Layout version 3, chunked, rank 1 (+ the element size), no index yet.
  if (data[0] !== 3 || data[1] !== 2 || data[2] !== 2 || readUint(data, 3, 8) !== undefined)
    throw unexpected(path, 'data layout');
  const dims = new DataView(data.buffer, data.byteOffset + 11, 8);
  const chunkRows = dims.getUint32(0, true);
  const rowBytes = dims.getUint32(4, true);
  checkRows(onlyMessage(messages, MSG_DATASPACE, path, UNEXPECTED_HINT), rows, path);
  if (rows === 0) return { offset: 0, rowBytes, chunkRows, end: size };

  const count = Math.ceil(rows / chunkRows);
  const entries = 2 * k;
  const indexAt = alignUp(size, 8);
  const offset = alignUp(indexAt + btreeBytes({ count, entries }), DATA_ALIGNMENT);
  const end = offset + count * chunkRows * rowBytes;
  let at = indexAt;
  const run = { count, chunkRows, rowBytes, dataAddress: offset, entries };
  await encodeChunkBTree(run, indexAt, async (bytes) => {
    await writeAll(handle, bytes, at);
    at += bytes.length;
  });
  await writeUint64(handle, layout.at + 3, indexAt);
  const eofAt = sb.offset + (sb.version === 0 ? 24 : 28) + 2 * sb.sizeOfOffsets;
  await writeUint64(handle, eofAt, end);
  // The file's length is its end-of-file address from now on; the records fill the hole.
  await handle.truncate(end);
  return { offset, rowBytes, chunkRows, end };
}

/** The dataspace (message version 1 or 2) must be 1-D with `rows` rows. */
function checkRows({ data }: Message, rows: number, path: string): void {
  const [version, rank] = data;
  const dimsAt = version === 1 ? 8 : version === 2 ? 4 : -1;
  if (dimsAt < 0 || rank !== 1 || readUint(data, dimsAt, 8) !== rows) throw unexpected(path, 'dataspace');
}

/** The file h5wasm just wrote is not laid out as this module expects: a bug, not bad input. */
function unexpected(path: string, what: string): SluiceError {
  return unexpectedLayout(path, what, UNEXPECTED_HINT);
}
