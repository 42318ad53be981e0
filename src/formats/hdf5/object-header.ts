/**
 * An HDF5 object header's messages: version 1 headers, or version 2 ("OHDR", checksummed),
 * with their continuation blocks followed. Every block must lie inside the file, every
 * message inside its block, a version 2 block's checksum must match, and a continuation chain
 * must neither revisit a block nor run on: a corrupt header is FORMAT_INVALID at its byte.
 */
import { lookup3 } from './checksum.ts';
import type { ReadAt, Superblock } from './superblock.ts';
import { invalidHdf5, readLength, readUint } from './superblock.ts';

export const MSG_DATASPACE = 0x0001;
export const MSG_EXTERNAL_FILES = 0x0007;
export const MSG_LAYOUT = 0x0008;
export const MSG_FILTERS = 0x000b;
const MSG_CONTINUATION = 0x0010;
/** A corrupt chain would run on: no real object header has this many blocks. */
const MAX_BLOCKS = 1024;
/** Nor a block this long (libhdf5 caps a message at 64 KiB); a bigger one is a corrupt size. */
const MAX_BLOCK_BYTES = 16 << 20;

export interface Message {
  readonly type: number;
  /** Header message flags; bit 1 (0x02): the message is shared, stored elsewhere. */
  readonly flags: number;
  readonly data: Uint8Array;
  /** Absolute file offset of the message data, for errors. */
  readonly at: number;
}

interface Block {
  readonly offset: number;
  readonly length: number;
  /** File offset of the continuation message that points here, for errors. */
  readonly from: number;
}

/** Every message of the object header at absolute `address`, continuation blocks included. */
export async function readObjectHeader(
  readAt: ReadAt,
  fileSize: number,
  sb: Superblock,
  address: number,
  path: string,
): Promise<Message[]> {
  const end = Math.min(fileSize, sb.endOfFile ?? fileSize);
  const read = async (offset: number, length: number, from: number): Promise<Uint8Array> => {
    if (!(offset >= 0 && length >= 0 && offset <= end && length <= end - offset)) {
      throw invalidHdf5(
        path,
        from,
        `object header block at byte ${offset} (${length} bytes) runs past the end of the file`,
      );
    }
    if (length > MAX_BLOCK_BYTES) throw invalidHdf5(path, from, `object header block of ${length} bytes`);
    const bytes = await readAt(offset, length);
    if (bytes.length < length)
      throw invalidHdf5(path, offset + bytes.length, 'the file ends inside an object header');
    return bytes;
  };
  const prefix = await read(address, Math.min(32, end - address), address);
  if (prefix.length < 12) throw invalidHdf5(path, address, 'the file ends inside an object header');
  const isV2 = prefix[0] === 0x4f && prefix[1] === 0x48 && prefix[2] === 0x44 && prefix[3] === 0x52; // "OHDR"
  const found = new HeaderMessages(sb, path);
  if (isV2) {
    const flags = prefix[5];
    if (prefix[4] !== 2) throw invalidHdf5(path, address + 4, `unknown object header version ${prefix[4]}`);
    let pos = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const sizeBytes = 1 << (flags & 3);
    if (pos + sizeBytes > prefix.length)
      throw invalidHdf5(path, address, 'the file ends inside an object header');
    const length = readLength(prefix, pos, sizeBytes);
    pos += sizeBytes;
    const block = await read(address, pos + length + 4, address + pos - sizeBytes);
    checkSum(block, address, path);
    parseV2Messages(block, pos, pos + length, flags, address, found);
  } else {
    if (prefix[0] !== 1) throw invalidHdf5(path, address, `unknown object header version ${prefix[0]}`);
    if (prefix.length < 16) throw invalidHdf5(path, address, 'the file ends inside an object header');
    const headerSize = new DataView(prefix.buffer, prefix.byteOffset).getUint32(8, true);
    const block = await read(address + 16, headerSize, address + 8);
    parseV1Messages(block, address + 16, found);
  }
  const visited = new Set<number>([address]);
  for (let k = 0; k < found.blocks.length; k++) {
    const { offset, length, from } = found.blocks[k];
    if (k >= MAX_BLOCKS) throw invalidHdf5(path, from, 'object header continuation chain does not end');
    if (visited.has(offset))
      throw invalidHdf5(path, from, `object header continuation loops back to byte ${offset}`);
    visited.add(offset);
    const block = await read(offset, length, from);
    if (isV2) {
      if (!(
        length >= 8 &&
        block[0] === 0x4f &&
        block[1] === 0x43 &&
        block[2] === 0x48 &&
        block[3] === 0x4b
      )) {
        throw invalidHdf5(path, offset, 'object header continuation block without "OCHK"');
      }
      checkSum(block, offset, path);
      parseV2Messages(block, 4, length - 4, prefix[5], offset, found);
    } else {
      parseV1Messages(block, offset, found);
    }
  }
  return found.messages;
}

/** A version 2 header block ends in the lookup3 checksum of the bytes before it. */
function checkSum(block: Uint8Array, offset: number, path: string): void {
  const at = block.length - 4;
  const stored = new DataView(block.buffer, block.byteOffset).getUint32(at, true);
  if (lookup3(block.subarray(0, at)) !== stored)
    throw invalidHdf5(path, offset + at, 'object header checksum mismatch');
}

/** What walking an object header collects: its messages, and the continuation blocks to read. */
class HeaderMessages {
  readonly messages: Message[] = [];
  readonly blocks: Block[] = [];

  constructor(
    private readonly sb: Superblock,
    readonly path: string,
  ) {}

  add(type: number, flags: number, data: Uint8Array, at: number): void {
    if (type !== MSG_CONTINUATION) {
      this.messages.push({ type, flags, data, at });
      return;
    }
    const { sizeOfOffsets: o, sizeOfLengths: l } = this.sb;
    if (data.length < o + l) throw invalidHdf5(this.path, at, 'short object header continuation message');
    const offset = readUint(data, 0, o);
    const length = readUint(data, o, l);
    if (offset === undefined || length === undefined)
      throw invalidHdf5(this.path, at, 'object header continuation to an undefined address');
    this.blocks.push({ offset: this.sb.baseAddress + offset, length, from: at });
  }
}

/** v1 messages: type u16, size u16, flags u8, 3 reserved, data (8-byte aligned). */
function parseV1Messages(block: Uint8Array, blockOffset: number, found: HeaderMessages): void {
  const dv = new DataView(block.buffer, block.byteOffset, block.byteLength);
  for (let pos = 0; pos + 8 <= block.length;) {
    const type = dv.getUint16(pos, true);
    const size = dv.getUint16(pos + 2, true);
    if (pos + 8 + size > block.length) {
      throw invalidHdf5(
        found.path,
        blockOffset + pos + 2,
        `object header message of ${size} bytes overruns its block`,
      );
    }
    found.add(type, block[pos + 4], block.subarray(pos + 8, pos + 8 + size), blockOffset + pos + 8);
    pos += 8 + size;
  }
}

/** v2 messages in [from, to): type u8, size u16, flags u8, [creation order u16], data; then a gap. */
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
    if (start + size > to) {
      throw invalidHdf5(
        found.path,
        blockOffset + pos + 1,
        `object header message of ${size} bytes overruns its block`,
      );
    }
    found.add(type, block[pos + 3], block.subarray(start, start + size), blockOffset + start);
    pos = start + size;
  }
}
