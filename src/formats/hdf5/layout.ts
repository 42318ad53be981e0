/**
 * Where an HDF5 dataset's bytes are, for the datasets sluice reads straight from the file as
 * vaex does: the superblock (its offset and length sizes, its base address) and the dataset's
 * object header (v1 or v2 "OHDR", continuation blocks followed), up to the data layout
 * message. h5wasm gives the object header's address (an object reference is that address)
 * but not the data's, so this reads the layout message itself. Only what that needs is parsed.
 */
import type { FileHandle } from 'node:fs/promises';
import { SluiceError } from '../../core/errors.ts';

export const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // \x89HDF\r\n\x1a\n

export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** A ReadAt over an open file. */
export function readAtHandle(handle: FileHandle): ReadAt {
  return async (offset, length) => {
    const buffer = new Uint8Array(length);
    await handle.read(buffer, 0, length, offset);
    return buffer;
  };
}

export interface Superblock {
  /** File offset of the superblock (0, or 512·2^k after a user block). */
  readonly offset: number;
  readonly version: number;
  readonly sizeOfOffsets: number;
  readonly sizeOfLengths: number;
  /** Absolute file address every stored address is relative to. */
  readonly baseAddress: number;
}

/** Where a dataset's data lies, or why it cannot be read straight from the file. */
export type DatasetStorage =
  | { readonly kind: 'contiguous'; readonly offset: number; readonly size: number | undefined }
  | { readonly kind: 'other'; readonly reason: string };

export function hasHdf5Magic(head: Uint8Array): boolean {
  return head.length >= 8 && HDF5_MAGIC.every((b, i) => head[i] === b);
}

export const MSG_DATASPACE = 0x0001;
const MSG_EXTERNAL_FILES = 0x0007;
export const MSG_LAYOUT = 0x0008;
const MSG_FILTERS = 0x000b;
const MSG_CONTINUATION = 0x0010;
/** A cycle or a corrupt chain would loop: no real object header has this many blocks. */
const MAX_BLOCKS = 1024;

function invalid(path: string, offset: number, what: string): SluiceError {
  return new SluiceError('FORMAT_INVALID', `${path}: ${what}`, {
    path,
    offset,
    hint: 'the HDF5 file is corrupt or truncated (h5dump or h5py would fail on it too)',
  });
}

/** Little-endian unsigned integer of `size` bytes; undefined for the all-ones "undefined address". */
export function readUint(bytes: Uint8Array, at: number, size: number): number | undefined {
  let value = 0n;
  let allOnes = true;
  for (let i = size - 1; i >= 0; i--) {
    const b = bytes[at + i];
    if (b !== 0xff) allOnes = false;
    value = (value << 8n) | BigInt(b);
  }
  if (allOnes) return undefined;
  return Number(value);
}

/** An object reference (hobj_ref_t) holds the object header's address, little-endian. */
export function objectAddress(ref: Uint8Array): number {
  let value = 0n;
  for (let i = Math.min(ref.length, 8) - 1; i >= 0; i--) value = (value << 8n) | BigInt(ref[i]);
  return Number(value);
}

/** Finds and parses the superblock: at 0, 512, 1024, 2048, … (a user block may precede it). */
export async function readSuperblock(readAt: ReadAt, fileSize: number, path: string): Promise<Superblock> {
  for (let offset = 0; offset + 8 <= fileSize; offset = offset === 0 ? 512 : offset * 2) {
    const head = await readAt(offset, Math.min(64, fileSize - offset));
    if (!hasHdf5Magic(head)) continue;
    const version = head[8];
    let sizeOfOffsets: number;
    let sizeOfLengths: number;
    let baseAt: number;
    if (version === 0 || version === 1) {
      sizeOfOffsets = head[13];
      sizeOfLengths = head[14];
      baseAt = version === 0 ? 24 : 28;
    } else if (version === 2 || version === 3) {
      sizeOfOffsets = head[9];
      sizeOfLengths = head[10];
      baseAt = 12;
    } else {
      throw new SluiceError('FORMAT_UNSUPPORTED', `${path}: HDF5 superblock version ${version}`, {
        path,
        offset: offset + 8,
        hint: 'sluice knows superblock versions 0–3; re-save the file with h5repack or h5py',
      });
    }
    if (![2, 4, 8].includes(sizeOfOffsets) || ![2, 4, 8].includes(sizeOfLengths)) {
      throw invalid(path, offset + 9, `HDF5 offset/length sizes ${sizeOfOffsets}/${sizeOfLengths}`);
    }
    if (head.length < baseAt + sizeOfOffsets) throw invalid(path, offset, 'file ends inside the superblock');
    const baseAddress = readUint(head, baseAt, sizeOfOffsets) ?? 0;
    return { offset, version, sizeOfOffsets, sizeOfLengths, baseAddress };
  }
  throw new SluiceError('FORMAT_INVALID', `${path}: not an HDF5 file (no signature)`, {
    path,
    offset: 0,
    hint: 'HDF5 files start with \\x89HDF\\r\\n\\x1a\\n (at byte 0 or after a user block)',
  });
}

export interface Message {
  readonly type: number;
  /** Header message flags; bit 1 (0x02): the message is shared, stored elsewhere. */
  readonly flags: number;
  readonly data: Uint8Array;
  /** Absolute file offset of the message data, for errors. */
  readonly at: number;
}

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
  const messages = await readObjectHeader(readAt, fileSize, sb, sb.baseAddress + headerAddress, path);
  if (messages.some((m) => m.type === MSG_EXTERNAL_FILES))
    return { kind: 'other', reason: 'external data files' };
  if (messages.some((m) => m.type === MSG_FILTERS)) return { kind: 'other', reason: 'filters' };
  const layout = messages.find((m) => m.type === MSG_LAYOUT);
  if (!layout)
    throw invalid(path, sb.baseAddress + headerAddress, 'dataset object header has no data layout message');
  return parseLayout(layout, sb, path);
}

function parseLayout({ data, at }: Message, sb: Superblock, path: string): DatasetStorage {
  const version = data[0];
  if (version === 1 || version === 2) {
    const layoutClass = data[2];
    if (layoutClass !== 1) return { kind: 'other', reason: layoutClass === 2 ? 'chunked' : 'compact' };
    const address = readUint(data, 8, sb.sizeOfOffsets);
    if (address === undefined) return { kind: 'other', reason: 'no storage allocated' };
    return { kind: 'contiguous', offset: sb.baseAddress + address, size: undefined };
  }
  if (version === 3 || version === 4) {
    const layoutClass = data[1];
    if (layoutClass !== 1) {
      return {
        kind: 'other',
        reason: ['compact', 'contiguous', 'chunked', 'virtual'][layoutClass] ?? `layout class ${layoutClass}`,
      };
    }
    if (data.length < 2 + sb.sizeOfOffsets + sb.sizeOfLengths)
      throw invalid(path, at, 'short data layout message');
    const address = readUint(data, 2, sb.sizeOfOffsets);
    const size = readUint(data, 2 + sb.sizeOfOffsets, sb.sizeOfLengths);
    if (address === undefined) return { kind: 'other', reason: 'no storage allocated' };
    return { kind: 'contiguous', offset: sb.baseAddress + address, size };
  }
  return { kind: 'other', reason: `data layout message version ${version}` };
}

/** Every message of an object header, continuation blocks included. */
export async function readObjectHeader(
  readAt: ReadAt,
  fileSize: number,
  sb: Superblock,
  address: number,
  path: string,
): Promise<Message[]> {
  const read = async (offset: number, length: number): Promise<Uint8Array> => {
    if (offset < 0 || length < 0 || offset + length > fileSize)
      throw invalid(path, offset, `object header block at byte ${offset} runs past the end of the file`);
    return readAt(offset, length);
  };
  const prefix = await read(address, Math.min(32, fileSize - address));
  const isV2 = prefix[0] === 0x4f && prefix[1] === 0x48 && prefix[2] === 0x44 && prefix[3] === 0x52; // "OHDR"
  const found = new HeaderMessages(sb);
  const { blocks } = found;
  if (isV2) {
    const flags = prefix[5];
    let pos = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const sizeBytes = 1 << (flags & 3);
    const length = readUint(prefix, pos, sizeBytes) ?? 0;
    pos += sizeBytes;
    const block = await read(address, pos + length);
    parseV2Messages(block, pos, pos + length, flags, address, found);
  } else {
    if (prefix[0] !== 1) throw invalid(path, address, `unknown object header version ${prefix[0]}`);
    const headerSize = new DataView(prefix.buffer, prefix.byteOffset).getUint32(8, true);
    const block = await read(address + 16, headerSize);
    parseV1Messages(block, address + 16, found);
  }
  for (let k = 0; k < blocks.length; k++) {
    if (k >= MAX_BLOCKS) throw invalid(path, address, 'object header continuation chain does not end');
    const { offset, length } = blocks[k];
    const block = await read(offset, length);
    if (isV2) {
      if (!(block[0] === 0x4f && block[1] === 0x43 && block[2] === 0x48 && block[3] === 0x4b)) {
        throw invalid(path, offset, 'object header continuation block without "OCHK"');
      }
      parseV2Messages(block, 4, length - 4, prefix[5], offset, found);
    } else {
      parseV1Messages(block, offset, found);
    }
  }
  return found.messages;
}

function continuation(data: Uint8Array, sb: Superblock): { offset: number; length: number } {
  return {
    offset: sb.baseAddress + (readUint(data, 0, sb.sizeOfOffsets) ?? 0),
    length: readUint(data, sb.sizeOfOffsets, sb.sizeOfLengths) ?? 0,
  };
}

/** What walking an object header collects: its messages, and the continuation blocks to read. */
class HeaderMessages {
  readonly messages: Message[] = [];
  readonly blocks: { offset: number; length: number }[] = [];

  constructor(private readonly sb: Superblock) {}

  add(type: number, flags: number, data: Uint8Array, at: number): void {
    if (type === MSG_CONTINUATION) this.blocks.push(continuation(data, this.sb));
    else this.messages.push({ type, flags, data, at });
  }
}

/** v1 messages: type u16, size u16, flags u8, 3 reserved, data (8-byte aligned). */
function parseV1Messages(block: Uint8Array, blockOffset: number, found: HeaderMessages): void {
  const dv = new DataView(block.buffer, block.byteOffset, block.byteLength);
  for (let pos = 0; pos + 8 <= block.length;) {
    const type = dv.getUint16(pos, true);
    const size = dv.getUint16(pos + 2, true);
    const data = block.subarray(pos + 8, Math.min(pos + 8 + size, block.length));
    found.add(type, block[pos + 4], data, blockOffset + pos + 8);
    pos += 8 + size;
  }
}

/** v2 messages in [from, to): type u8, size u16, flags u8, [creation order u16], data. */
function parseV2Messages(
  block: Uint8Array,
  from: number,
  to: number,
  headerFlags: number,
  blockOffset: number,
  found: HeaderMessages,
): void {
  const dv = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const headerBytes = headerFlags & 0x04 ? 6 : 4;
  for (let pos = from; pos + headerBytes <= to;) {
    const type = block[pos];
    const size = dv.getUint16(pos + 1, true);
    const start = pos + headerBytes;
    const data = block.subarray(start, Math.min(start + size, to));
    found.add(type, block[pos + 3], data, blockOffset + start);
    pos = start + size;
  }
}
