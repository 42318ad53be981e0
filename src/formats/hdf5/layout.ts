/**
 * Where an HDF5 dataset's bytes are, for the datasets sluice reads straight from the file as
 * vaex does: the superblock (superblock.ts: its offset and length sizes, its base address) and
 * the dataset's object header (object-header.ts), up to the data layout message. h5wasm gives
 * the object header's address (an object reference is that address) but not the data's, so
 * this reads the layout message itself. Only what that needs is parsed, and all of it checked:
 * an address outside the file, a short message or a size that does not add up is
 * FORMAT_INVALID at its byte.
 */
import type { ChunkIndex } from './chunk-index.ts';
import { chunkIndexOf, filterIds } from './chunk-index.ts';
import type { Message } from './object-header.ts';
import { MSG_EXTERNAL_FILES, MSG_FILTERS, MSG_LAYOUT, readObjectHeader } from './object-header.ts';
import type { ReadAt, Superblock } from './superblock.ts';
import { invalidHdf5, readUint } from './superblock.ts';

export type { Message } from './object-header.ts';
export { MSG_DATASPACE, MSG_LAYOUT, readObjectHeader } from './object-header.ts';
export type { ReadAt, Superblock } from './superblock.ts';
export {
  HDF5_MAGIC,
  hasHdf5Magic,
  objectAddress,
  readAtHandle,
  readSuperblock,
  readUint,
} from './superblock.ts';

/** Where a dataset's data lies, or why it cannot be read straight from the file. */
export type DatasetStorage =
  | {
      readonly kind: 'contiguous';
      readonly offset: number;
      /** Bytes of storage the layout message gives (versions 3 and 4; 1 and 2 do not store it). */
      readonly size: number | undefined;
      /** File offset of the layout message's data, for errors. */
      readonly layoutAt?: number;
    }
  | {
      readonly kind: 'other';
      readonly reason: string;
      /** A version 1 B-tree chunk index, which dataset-plan.ts checks before reading. */
      readonly chunks?: ChunkIndex;
    };

/**
 * The storage of the dataset whose object header is at `headerAddress` (relative to the base
 * address, as an object reference gives it).
 */
export async function readDatasetStorage(
  readAt: ReadAt,
  fileSize: number,
  sb: Superblock,
  headerAddress: number,
  path: string,
): Promise<DatasetStorage> {
  const address = sb.baseAddress + headerAddress;
  if (!(address < Math.min(fileSize, sb.endOfFile ?? fileSize))) {
    throw invalidHdf5(path, address, `object header address ${headerAddress} is past the end of the file`);
  }
  const messages = await readObjectHeader(readAt, fileSize, sb, address, path);
  const layouts = messages.filter((m) => m.type === MSG_LAYOUT);
  if (layouts.length === 0)
    throw invalidHdf5(path, address, 'dataset object header has no data layout message');
  if (layouts.length > 1)
    throw invalidHdf5(path, layouts[1].at, 'dataset object header has two data layout messages');
  const filters = messages.filter((m) => m.type === MSG_FILTERS);
  if (filters.length > 1)
    throw invalidHdf5(path, filters[1].at, 'dataset object header has two filter pipelines');
  const storage = parseLayout(layouts[0], sb, fileSize, path);
  if (messages.some((m) => m.type === MSG_EXTERNAL_FILES))
    return { kind: 'other', reason: 'external data files' };
  if (filters.length === 0) return storage;
  const { data, at } = filters[0];
  const chunks = storage.kind === 'other' ? storage.chunks : undefined;
  return {
    kind: 'other',
    reason: 'filters',
    chunks: chunks && { ...chunks, filters: filterIds(data, at, path) },
  };
}

function parseLayout(message: Message, sb: Superblock, fileSize: number, path: string): DatasetStorage {
  const { data, at } = message;
  const short = () => invalidHdf5(path, at, 'short data layout message');
  if (data.length < 2) throw short();
  const version = data[0];
  if (version === 1 || version === 2) {
    if (data.length < 3) throw short();
    const layoutClass = data[2];
    if (layoutClass === 2)
      return { kind: 'other', reason: 'chunked', chunks: chunkIndexOf(data, at, sb, path) };
    if (layoutClass !== 1) return { kind: 'other', reason: 'compact' };
    if (data.length < 8 + sb.sizeOfOffsets) throw short();
    return contiguous(readUint(data, 8, sb.sizeOfOffsets), undefined, message, sb, fileSize, path);
  }
  if (version === 3 || version === 4) {
    const layoutClass = data[1];
    if (version === 3 && layoutClass === 2) {
      return { kind: 'other', reason: 'chunked', chunks: chunkIndexOf(data, at, sb, path) };
    }
    if (layoutClass !== 1) {
      return {
        kind: 'other',
        reason: ['compact', 'contiguous', 'chunked', 'virtual'][layoutClass] ?? `layout class ${layoutClass}`,
      };
    }
    if (data.length < 2 + sb.sizeOfOffsets + sb.sizeOfLengths) throw short();
    const size = readUint(data, 2 + sb.sizeOfOffsets, sb.sizeOfLengths);
    if (size === undefined)
      throw invalidHdf5(path, at + 2 + sb.sizeOfOffsets, 'undefined contiguous storage size');
    return contiguous(readUint(data, 2, sb.sizeOfOffsets), size, message, sb, fileSize, path);
  }
  return { kind: 'other', reason: `data layout message version ${version}` };
}

/** Contiguous storage at `address` (relative), its extent inside the file. */
function contiguous(
  address: number | undefined,
  size: number | undefined,
  { at, flags }: Message,
  sb: Superblock,
  fileSize: number,
  path: string,
): DatasetStorage {
  if (address === undefined) return { kind: 'other', reason: 'no storage allocated' };
  if (flags & 0x02) throw invalidHdf5(path, at, 'shared data layout message');
  const offset = sb.baseAddress + address;
  if (offset > fileSize || (size !== undefined && size > fileSize - offset)) {
    const end = offset + (size ?? 0);
    throw invalidHdf5(
      path,
      at,
      `dataset storage [${offset}, ${end}) runs past the end of the file (${fileSize} bytes)`,
    );
  }
  return { kind: 'contiguous', offset, size, layoutAt: at };
}
