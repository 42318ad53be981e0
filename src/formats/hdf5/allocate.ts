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
import { SluiceError } from '../../core/errors.ts';
import type { Message, Superblock } from './layout.ts';
import {
  MSG_DATASPACE,
  MSG_LAYOUT,
  readAtHandle,
  readObjectHeader,
  readSuperblock,
  readUint,
} from './layout.ts';

/** A dataset created empty, and the bytes one of its rows takes. */
export interface EmptyDataset {
  /** Its object header's address (from an object reference). */
  readonly headerAddress: number;
  readonly rowBytes: number;
}

const DATA_ALIGNMENT = 4096;
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
  const { size } = await handle.stat();
  const readAt = readAtHandle(handle);
  const sb = await readSuperblock(readAt, size, path);
  if (sb.version !== 0 || sb.sizeOfOffsets !== 8 || sb.sizeOfLengths !== 8 || sb.baseAddress !== 0)
    throw unexpected(path, `superblock version ${sb.version}`);
  const offsets: number[] = [];
  let end = size;
  for (const dataset of datasets) {
    const messages = await readObjectHeader(readAt, size, sb, dataset.headerAddress, path);
    const start = alignUp(end, DATA_ALIGNMENT);
    const bytes = rows * dataset.rowBytes;
    await setRows(handle, path, only(messages, MSG_DATASPACE, path), rows);
    await setAddress(handle, path, only(messages, MSG_LAYOUT, path), sb, start, bytes);
    offsets.push(start);
    end = start + bytes;
  }
  await writeUint64(handle, sb.offset + SUPERBLOCK0_BASE_AT + 2 * sb.sizeOfOffsets, end);
  // The file's length is its end-of-file address from now on; the data fills the holes.
  await handle.truncate(end);
  return offsets;
}

function only(messages: readonly Message[], type: number, path: string): Message {
  const found = messages.filter((m) => m.type === type);
  if (found.length !== 1 || found[0].flags & 0x02) throw unexpected(path, `header message ${type}`);
  return found[0];
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

async function writeUint64(handle: FileHandle, offset: number, value: number): Promise<void> {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
  await handle.write(bytes, 0, 8, offset);
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The file h5wasm just wrote is not laid out as this module expects: a bug, not bad input. */
function unexpected(path: string, what: string): SluiceError {
  return new SluiceError('STAGE_FAILED', `${path}: unexpected ${what} in the HDF5 file h5wasm created`, {
    path,
    hint: 'write with storage: chunked instead, and please report this',
  });
}
