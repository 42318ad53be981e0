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
import { SluiceError } from '../../core/errors.ts';
import { btreeBytes, encodeChunkBTree } from './chunk-btree.ts';
import type { Message } from './layout.ts';
import {
  MSG_DATASPACE,
  MSG_LAYOUT,
  readAtHandle,
  readObjectHeader,
  readSuperblock,
  readUint,
} from './layout.ts';
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

const DATA_ALIGNMENT = 4096;
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
  const { size } = await handle.stat();
  const readAt = readAtHandle(handle);
  const sb = await readSuperblock(readAt, size, path);
  if (sb.version > 1 || sb.sizeOfOffsets !== 8 || sb.sizeOfLengths !== 8 || sb.baseAddress !== 0)
    throw unexpected(path, `superblock version ${sb.version}`);
  const head = await readAt(sb.offset, 32);
  // Superblock 1 stores the chunk B-tree K after the group Ks and the consistency flags.
  const k =
    sb.version === 1 ? new DataView(head.buffer, head.byteOffset).getUint16(24, true) : DEFAULT_CHUNK_K;
  if ((await readAt(headerAddress, 1))[0] !== 1) throw unexpected(path, 'object header version');
  const messages = await readObjectHeader(readAt, size, sb, headerAddress, path);
  if (messages.some((m) => m.type === MSG_FILTERS)) throw unexpected(path, 'filter pipeline');
  const layout = only(messages, MSG_LAYOUT, path);
  const { data } = layout;
  // Layout version 3, chunked, rank 1 (+ the element size), no index yet.
  if (data[0] !== 3 || data[1] !== 2 || data[2] !== 2 || readUint(data, 3, 8) !== undefined)
    throw unexpected(path, 'data layout');
  const dims = new DataView(data.buffer, data.byteOffset + 11, 8);
  const chunkRows = dims.getUint32(0, true);
  const rowBytes = dims.getUint32(4, true);
  checkRows(only(messages, MSG_DATASPACE, path), rows, path);
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

function only(messages: readonly Message[], type: number, path: string): Message {
  const found = messages.filter((m) => m.type === type);
  if (found.length !== 1 || found[0].flags & 0x02) throw unexpected(path, `header message ${type}`);
  return found[0];
}

/** The dataspace (message version 1 or 2) must be 1-D with `rows` rows. */
function checkRows({ data }: Message, rows: number, path: string): void {
  const [version, rank] = data;
  const dimsAt = version === 1 ? 8 : version === 2 ? 4 : -1;
  if (dimsAt < 0 || rank !== 1 || readUint(data, dimsAt, 8) !== rows) throw unexpected(path, 'dataspace');
}

async function writeUint64(handle: FileHandle, offset: number, value: number): Promise<void> {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
  await writeAll(handle, bytes, offset);
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, offset: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, offset + done);
    if (bytesWritten <= 0) throw new SluiceError('IO_WRITE', `${offset}: the write made no progress`);
    done += bytesWritten;
  }
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The file h5wasm just wrote is not laid out as this module expects: a bug, not bad input. */
function unexpected(path: string, what: string): SluiceError {
  return new SluiceError('STAGE_FAILED', `${path}: unexpected ${what} in the HDF5 file h5wasm created`, {
    path,
    hint: 'write with compression: gzip (the table is then written through h5wasm), and please report this',
  });
}
