/**
 * The HDF5 superblock, read and checked before libhdf5 sees the file: the signature (at 0 or
 * after a user block), the version, the offset and length sizes, every address it holds
 * inside the file, the end-of-file address against the file's size (a truncated file), and
 * for versions 2 and 3 its checksum. Also the byte-level primitives the object-header and
 * layout readers share, and the error they give for a corrupt file.
 */
import type { FileHandle } from 'node:fs/promises';
import { SluiceError } from '../../core/errors.ts';
import { lookup3 } from './checksum.ts';

export const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // \x89HDF\r\n\x1a\n

export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** A ReadAt over an open file; a read past the end gives the bytes that are there. */
export function readAtHandle(handle: FileHandle): ReadAt {
  return async (offset, length) => {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return bytesRead < length ? buffer.subarray(0, bytesRead) : buffer;
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
  /** End-of-file address the superblock records, counted from the file's start (≤ its size). */
  readonly endOfFile?: number;
}

export function hasHdf5Magic(head: Uint8Array): boolean {
  return head.length >= 8 && HDF5_MAGIC.every((b, i) => head[i] === b);
}

/** FORMAT_INVALID for a corrupt HDF5 file, at the byte where the problem is. */
export function invalidHdf5(path: string, offset: number, what: string): SluiceError {
  return new SluiceError('FORMAT_INVALID', `${path}: ${what}`, {
    path,
    offset,
    hint: 'the HDF5 file is corrupt or truncated (h5dump or h5py would fail on it too)',
  });
}

/** Little-endian unsigned integer of `size` bytes (above 2^53 rounded, so past any file's end). */
export function readLength(bytes: Uint8Array, at: number, size: number): number {
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[at + i];
  return value;
}

/** Little-endian unsigned integer of `size` bytes; undefined for the all-ones "undefined address". */
export function readUint(bytes: Uint8Array, at: number, size: number): number | undefined {
  for (let i = 0; i < size; i++) if (bytes[at + i] !== 0xff) return readLength(bytes, at, size);
  return undefined;
}

/** An object reference (hobj_ref_t) holds the object header's address, little-endian. */
export function objectAddress(ref: Uint8Array): number {
  let value = 0n;
  for (let i = Math.min(ref.length, 8) - 1; i >= 0; i--) value = (value << 8n) | BigInt(ref[i]);
  return Number(value);
}

/** The superblock's fields after the signature, at their offsets from its start. */
interface SuperblockFields {
  readonly sizeOfOffsets: number;
  readonly sizeOfLengths: number;
  /** Where the base, …, end-of-file and root addresses are, and how long the superblock is. */
  readonly baseAt: number;
  readonly eofAt: number;
  readonly otherAddressesAt: readonly number[];
  readonly length: number;
}

/** Longest superblock: version 1 with 8-byte offsets and lengths is 100 bytes. */
const MAX_SUPERBLOCK = 128;

/** Finds, parses and checks the superblock: at 0, 512, 1024, 2048, … (a user block may precede it). */
export async function readSuperblock(readAt: ReadAt, fileSize: number, path: string): Promise<Superblock> {
  for (let offset = 0; offset + 8 <= fileSize; offset = offset === 0 ? 512 : offset * 2) {
    const head = await readAt(offset, Math.min(MAX_SUPERBLOCK, fileSize - offset));
    if (!hasHdf5Magic(head)) continue;
    const superblock = parseSuperblock(head, offset, fileSize, path);
    if (superblock.version <= 1) await checkRootGroupHeap(readAt, head, superblock, path);
    return superblock;
  }
  throw new SluiceError('FORMAT_INVALID', `${path}: not an HDF5 file (no signature)`, {
    path,
    offset: 0,
    hint: 'HDF5 files start with \\x89HDF\\r\\n\\x1a\\n (at byte 0 or after a user block)',
  });
}

/**
 * The root group's local heap (its member names), as the old superblock's cached symbol table
 * entry names it: a corrupt heap address there made libhdf5 read names out of the superblock
 * and spend 10 s and 2 GB before failing. The heap and its data segment must lie in the file,
 * after the superblock.
 */
async function checkRootGroupHeap(
  readAt: ReadAt,
  head: Uint8Array,
  sb: Superblock,
  path: string,
): Promise<void> {
  const o = sb.sizeOfOffsets;
  const l = sb.sizeOfLengths;
  const entryAt = (sb.version === 0 ? 24 : 28) + 4 * o;
  if (head.length < entryAt + 2 * o + 24) return;
  const cacheType = new DataView(head.buffer, head.byteOffset).getUint32(entryAt + 2 * o, true);
  if (cacheType !== 1) return;
  const scratchAt = entryAt + 2 * o + 8;
  const heapAt = readUint(head, scratchAt + o, o);
  const end = sb.endOfFile ?? 0;
  const superblockEnd = sb.offset + scratchAt + 16;
  const fail = (what: string) =>
    invalidHdf5(path, sb.offset + scratchAt + o, `root group local heap ${what}`);
  if (heapAt === undefined) return;
  const heap = sb.baseAddress + heapAt;
  const size = 8 + 2 * l + o;
  if (heap < superblockEnd || heap + size > end) throw fail(`at byte ${heap} lies outside the file's data`);
  const bytes = await readAt(heap, size);
  const signature = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < size || signature !== 'HEAP' || bytes[4] !== 0)
    throw fail(`at byte ${heap} is not a heap`);
  const segmentSize = readLength(bytes, 8, l);
  const segment = sb.baseAddress + readLength(bytes, 8 + 2 * l, o);
  if (segment < superblockEnd || segment > end || segmentSize > end - segment) {
    throw fail(`data (${segmentSize} bytes at byte ${segment}) lies outside the file's data`);
  }
}

function parseSuperblock(head: Uint8Array, offset: number, fileSize: number, path: string): Superblock {
  const fail = (at: number, what: string) => invalidHdf5(path, offset + at, what);
  if (head.length < 9) throw fail(head.length, 'the file ends inside the HDF5 superblock');
  const version = head[8];
  const fields = superblockFields(head, version, path, offset);
  const { sizeOfOffsets: o, baseAt, eofAt, length } = fields;
  // A truncated file may still hold the end-of-file address: then say so, as libhdf5 does.
  // libhdf5 compares it with the file's whole size, user block included (H5Fsuper.c).
  const hasEof = head.length >= eofAt + o;
  const baseAddress = hasEof ? (readUint(head, baseAt, o) ?? 0) : 0;
  const eof = hasEof ? readUint(head, eofAt, o) : undefined;
  if (eof !== undefined && eof > fileSize) {
    throw new SluiceError(
      'SIZE_MISMATCH',
      `${path}: the HDF5 file is truncated: its superblock says it ends at byte ${eof}, the file has ${fileSize}`,
      { path, offset: offset + eofAt, hint: 'an interrupted copy or write; fetch or write the file again' },
    );
  }
  if (head.length < length) {
    throw fail(head.length, `the file ends inside the HDF5 superblock (${length} bytes from byte ${offset})`);
  }
  if (version >= 2) {
    const stored = new DataView(head.buffer, head.byteOffset).getUint32(length - 4, true);
    if (lookup3(head.subarray(0, length - 4)) !== stored)
      throw fail(length - 4, 'HDF5 superblock checksum mismatch');
  }
  if (baseAddress > fileSize)
    throw fail(baseAt, `HDF5 base address ${baseAddress} is past the end of the file`);
  if (eof === undefined) throw fail(eofAt, 'HDF5 superblock has no end-of-file address');
  const endOfFile = eof;
  for (const at of fields.otherAddressesAt) {
    const address = readUint(head, at, o);
    if (address !== undefined && baseAddress + address >= endOfFile)
      throw fail(at, `HDF5 superblock address ${address} is past the end of the file (${endOfFile})`);
  }
  return { offset, version, sizeOfOffsets: o, sizeOfLengths: fields.sizeOfLengths, baseAddress, endOfFile };
}

/**
 * Versions 0 and 1: sizes at 13/14, base address after 24 (28) bytes, then the free-space,
 * end-of-file and driver-block addresses and the root group's symbol table entry (its object
 * header address second). Versions 2 and 3: sizes at 9/10, then the base, superblock
 * extension, end-of-file and root object header addresses and a checksum.
 */
function superblockFields(head: Uint8Array, version: number, path: string, offset: number): SuperblockFields {
  const fail = (at: number, what: string) => invalidHdf5(path, offset + at, what);
  if (version > 3) {
    throw new SluiceError('FORMAT_UNSUPPORTED', `${path}: HDF5 superblock version ${version}`, {
      path,
      offset: offset + 8,
      hint: 'sluice knows superblock versions 0–3; re-save the file with h5repack or h5py',
    });
  }
  const old = version <= 1;
  if (head.length < (old ? 28 : 12)) throw fail(head.length, 'the file ends inside the HDF5 superblock');
  const sizeOfOffsets = old ? head[13] : head[9];
  const sizeOfLengths = old ? head[14] : head[10];
  if (![2, 4, 8].includes(sizeOfOffsets) || ![2, 4, 8].includes(sizeOfLengths)) {
    throw fail(old ? 13 : 9, `HDF5 offset/length sizes ${sizeOfOffsets}/${sizeOfLengths}`);
  }
  const o = sizeOfOffsets;
  if (!old) {
    return {
      sizeOfOffsets,
      sizeOfLengths,
      baseAt: 12,
      eofAt: 12 + 2 * o,
      otherAddressesAt: [12 + o, 12 + 3 * o],
      length: 12 + 4 * o + 4,
    };
  }
  // Free-space, root symbol table entry and shared-header versions are 0; the B-tree Ks not 0.
  if (head[9] !== 0 || head[10] !== 0 || head[12] !== 0)
    throw fail(9, 'unknown HDF5 superblock sub-versions');
  const dv = new DataView(head.buffer, head.byteOffset);
  if (
    dv.getUint16(16, true) === 0 ||
    dv.getUint16(18, true) === 0 ||
    (version === 1 && dv.getUint16(24, true) === 0)
  )
    throw fail(16, 'HDF5 superblock B-tree K of 0');
  const baseAt = version === 0 ? 24 : 28;
  return {
    sizeOfOffsets,
    sizeOfLengths,
    baseAt,
    eofAt: baseAt + 2 * o,
    // free-space info, driver information block, root group object header
    otherAddressesAt: [baseAt + o, baseAt + 3 * o, baseAt + 5 * o],
    length: baseAt + 6 * o + 24,
  };
}
