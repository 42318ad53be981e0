/**
 * Storage for contiguous HDF5 datasets whose row count is known before the data arrives, so
 * the data can be written straight to the file at its offset (as vaex and h5py users do with
 * `dset.id.get_offset()`) instead of through h5wasm's synchronous, copying writes.
 *
 * h5wasm creates the file: groups, attributes and every dataset, empty (shape [0] or [0, k]),
 * contiguous, with HDF5's earliest file format (superblock 0, version 1 object headers: no
 * checksums). It cannot allocate space without writing every byte from WASM memory, so
 * `allocateContiguous` then gives each dataset its rows: the dataspace's first dimension (and
 * maximum) becomes the row count, the layout message gets the data's address and size, and
 * the superblock's end-of-file address covers the data, which is laid out after the metadata,
 * each dataset starting on a 4 KiB boundary. Every value patched has the width it already had,
 * so nothing else in the file moves.
 */
import type { FileHandle } from 'node:fs/promises';
import type { SluiceError } from '../../core/errors.ts';
import {
  DATA_ALIGNMENT,
  alignUp,
  onlyMessage,
  readPatchedFile,
  unexpectedLayout,
  writeUint64,
} from './h5wasm-patch.ts';
import type { Message, Superblock } from './layout.ts';
import { MSG_DATASPACE, MSG_LAYOUT, readObjectHeader, readUint } from './layout.ts';

/** A dataset created empty, and the bytes one of its rows takes. */
export interface EmptyDataset {
  /** Its object header's address (from an object reference). */
  readonly headerAddress: number;
  readonly rowBytes: number;
}

const UNEXPECTED_HINT = 'write with storage: chunked instead, and please report this';
/** Superblock 0: end-of-file address after the base and free-space addresses. */
const SUPERBLOCK0_BASE_AT = 24;

/** Sizes each dataset for `rows` rows; returns the file offset of each dataset's data. */
export async function allocateContiguous(
  handle: FileHandle,
  path: string,
  datasets: readonly EmptyDataset[],
  rows: number,
): Promise<number[]> {
  // Empty datasets are complete as created: no storage is what HDF5 itself writes for them.
  if (rows === 0) return datasets.map(() => 0);
  const { size, readAt, sb } = await readPatchedFile(handle, path, [0], UNEXPECTED_HINT);
  const offsets: number[] = [];
  let end = size;
  for (const dataset of datasets) {
    const messages = await readObjectHeader(readAt, size, sb, dataset.headerAddress, path);
    const start = alignUp(end, DATA_ALIGNMENT);
    const bytes = rows * dataset.rowBytes;
    const space = onlyMessage(messages, MSG_DATASPACE, path, UNEXPECTED_HINT);
    const layout = onlyMessage(messages, MSG_LAYOUT, path, UNEXPECTED_HINT);
    await setRows(handle, path, space, rows);
    await setAddress(handle, path, layout, sb, start, bytes);
    offsets.push(start);
    end = start + bytes;
  }
  await writeUint64(handle, sb.offset + SUPERBLOCK0_BASE_AT + 2 * sb.sizeOfOffsets, end);
  // The file's length is its end-of-file address from now on; the data fills the holes.
  await handle.truncate(end);
  return offsets;
}

/** Dataspace message 1 or 2: the first dimension, and its maximum when stored, become `rows`. */
async function setRows(handle: FileHandle, path: string, { data, at }: Message, rows: number): Promise<void> {
  const [version, rank, flags] = data;
  const dimsAt = version === 1 ? 8 : version === 2 ? 4 : -1;
  if (dimsAt < 0 || rank < 1 || readUint(data, dimsAt, 8) !== 0) throw unexpected(path, 'dataspace');
  await writeUint64(handle, at + dimsAt, rows);
  if (flags & 0x01) await writeUint64(handle, at + dimsAt + 8 * rank, rows);
}

/** Layout message 3, contiguous, not yet allocated: its address and size. */
async function setAddress(
  handle: FileHandle,
  path: string,
  { data, at }: Message,
  sb: Superblock,
  address: number,
  bytes: number,
): Promise<void> {
  if (data[0] !== 3 || data[1] !== 1 || readUint(data, 2, sb.sizeOfOffsets) !== undefined)
    throw unexpected(path, 'data layout');
  await writeUint64(handle, at + 2, address);
  await writeUint64(handle, at + 2 + sb.sizeOfOffsets, bytes);
}

/** The file h5wasm just wrote is not laid out as this module expects: a bug, not bad input. */
function unexpected(path: string, what: string): SluiceError {
  return unexpectedLayout(path, what, UNEXPECTED_HINT);
}
