/**
 * The chunk index of a chunked dataset in the older file format (data layout message
 * versions 1–3): a version 1 B-tree ("TREE") with no checksums, which libhdf5 trusts as far
 * as it can decode it. A corrupt filter mask, chunk size, address or offset there makes
 * libhdf5 return wrong values or uninitialised memory without an error, so sluice checks
 * the whole tree before reading: node signatures and levels, no node visited twice, keys
 * ascending and on chunk boundaries inside the dataset, every chunk inside the file and no
 * two overlapping, and a filter mask naming only the dataset's filters with a size that
 * agrees with it. (Layout version 4 indexes are checksummed; libhdf5 checks those itself.)
 */
import { SluiceError } from '../../core/errors.ts';
import type { ReadAt, Superblock } from './superblock.ts';
import { invalidHdf5, readLength, readUint } from './superblock.ts';

/** What the layout and filter messages say about a chunked dataset's index. */
export interface ChunkIndex {
  /** Absolute address of the B-tree's root node; undefined when no chunk is written. */
  readonly address: number | undefined;
  /** Chunk dimensions, the datatype size last (as the layout message stores them). */
  readonly dims: readonly number[];
  /** Filter ids in pipeline order (bit i of a chunk's filter mask skips filter i). */
  readonly filters: readonly number[];
  /** File offset of the layout message, for errors. */
  readonly at: number;
}

const FILTER_SHUFFLE = 2;
const FILTER_FLETCHER32 = 3;
/** Nodes visited at most: far more than any real index holds per megabyte of file. */
const MAX_NODES_PER_MIB = 4096;
/**
 * Largest chunk read: libhdf5 allocates a whole chunk per read inside h5wasm's 4 GiB WASM heap,
 * and a corrupt size makes it try for gigabytes (minutes, then "memory allocation failed").
 * HDF5's own guidance is chunks of a few MiB; 1 GiB leaves room for any sensible file.
 */
export const MAX_CHUNK_BYTES = 2 ** 30;

/**
 * Chunked layout, versions 1–2 (dimension count at 1, address at 8) and 3 (dimension count at
 * 2, address at 3); the dimensions follow the address, the datatype size last.
 */
export function chunkIndexOf(data: Uint8Array, at: number, sb: Superblock, path: string): ChunkIndex {
  const version = data[0];
  const rank = version === 3 ? data[2] : data[1];
  const addressAt = version === 3 ? 3 : 8;
  const dimsAt = addressAt + sb.sizeOfOffsets;
  if (rank < 2 || data.length < dimsAt + 4 * rank)
    throw invalidHdf5(path, at, 'short chunked data layout message');
  const dims = Array.from({ length: rank }, (_, i) => readLength(data, dimsAt + 4 * i, 4));
  if (dims.some((d) => d === 0)) throw invalidHdf5(path, at, `chunk dimensions ${dims.join(' × ')}`);
  const chunkBytes = dims.reduce((product, d) => product * d, 1);
  if (chunkBytes > MAX_CHUNK_BYTES) {
    throw new SluiceError(
      'FORMAT_UNSUPPORTED',
      `${path}: chunks of ${dims.join(' × ')} bytes (${chunkBytes}) are larger than sluice reads (${MAX_CHUNK_BYTES})`,
      { path, offset: at, hint: 'rechunk the dataset (h5repack -l CHUNK=…), or the file is corrupt' },
    );
  }
  const address = readUint(data, addressAt, sb.sizeOfOffsets);
  return { address: address === undefined ? undefined : sb.baseAddress + address, dims, filters: [], at };
}

/** The filter ids of a filter pipeline message (versions 1 and 2). */
export function filterIds(data: Uint8Array, at: number, path: string): number[] {
  const [version, count] = data;
  const ids: number[] = [];
  let pos = version === 1 ? 8 : 2;
  const short = () => invalidHdf5(path, at, 'short filter pipeline message');
  for (let i = 0; i < count; i++) {
    if (pos + 2 > data.length) throw short();
    const id = readLength(data, pos, 2);
    const hasName = version === 1 || id >= 256;
    const fixed = hasName ? 8 : 6;
    if (pos + fixed > data.length) throw short();
    const nameLength = hasName ? readLength(data, pos + 2, 2) : 0;
    const values = readLength(data, pos + fixed - 2, 2);
    const name = version === 1 ? Math.ceil(nameLength / 8) * 8 : nameLength;
    pos += fixed + name + 4 * values + (version === 1 && values % 2 ? 4 : 0);
    ids.push(id);
  }
  if (pos > data.length) throw short();
  return ids;
}

/**
 * Walks the whole index of a dataset of `shape`; FORMAT_INVALID at the first thing wrong.
 * `fileEnd` is where the file's data ends (its end-of-file address).
 */
export async function checkChunkIndex(
  readAt: ReadAt,
  fileEnd: number,
  sb: Superblock,
  index: ChunkIndex,
  shape: readonly number[],
  path: string,
): Promise<void> {
  if (index.address === undefined) return;
  const rank = index.dims.length;
  if (shape.length !== rank - 1) {
    throw invalidHdf5(path, index.at, `chunks of rank ${rank - 1} for a dataset of rank ${shape.length}`);
  }
  const walk = new IndexWalk(readAt, fileEnd, sb, index, shape, path);
  await walk.node(index.address, undefined, index.at);
  walk.checkOverlaps();
}

class IndexWalk {
  /** Every chunk's address and size, for the overlap check. */
  private readonly addresses: number[] = [];
  private readonly sizes: number[] = [];
  private readonly visited = new Set<number>();
  private readonly maxNodes: number;
  private readonly keyBytes: number;
  private readonly rawBytes: number;

  constructor(
    private readonly readAt: ReadAt,
    private readonly fileEnd: number,
    private readonly sb: Superblock,
    private readonly index: ChunkIndex,
    private readonly shape: readonly number[],
    private readonly path: string,
  ) {
    this.maxNodes = 16 + MAX_NODES_PER_MIB * Math.ceil(fileEnd / 2 ** 20);
    this.keyBytes = 8 + 8 * index.dims.length;
    this.rawBytes = index.dims.reduce((n, d) => n * d, 1);
  }

  /** The node at `address`, of `level` (undefined: the root, any level), and its subtree. */
  async node(address: number, level: number | undefined, from: number): Promise<void> {
    const { sizeOfOffsets: o } = this.sb;
    const fail = (at: number, what: string) => invalidHdf5(this.path, at, `chunk index: ${what}`);
    if (this.visited.has(address)) throw fail(from, `B-tree node at byte ${address} is reached twice`);
    if (this.visited.size >= this.maxNodes) throw fail(from, 'more B-tree nodes than the file can hold');
    this.visited.add(address);
    const headerBytes = 8 + 2 * o;
    if (!(address + headerBytes <= this.fileEnd))
      throw fail(from, `B-tree node at byte ${address} is past the end of the file`);
    // One read for the header and a node of up to 64 entries (libhdf5's default 2K), more if needed.
    const guess = headerBytes + 64 * (this.keyBytes + o) + this.keyBytes;
    const head = await this.readAt(address, Math.min(guess, this.fileEnd - address));
    if (
      head.length < headerBytes ||
      String.fromCharCode(...head.subarray(0, 4)) !== 'TREE' ||
      head[4] !== 1
    ) {
      throw fail(address, 'not a chunk B-tree node ("TREE", type 1)');
    }
    const nodeLevel = head[5];
    if (level !== undefined && nodeLevel !== level)
      throw fail(address + 5, `B-tree node of level ${nodeLevel}, ${level} expected`);
    const entries = readLength(head, 6, 2);
    const length = entries * (this.keyBytes + o) + this.keyBytes;
    if (entries === 0 || address + headerBytes + length > this.fileEnd) {
      throw fail(address + 6, `B-tree node of ${entries} entries does not fit in the file`);
    }
    const body =
      headerBytes + length <= head.length
        ? head.subarray(headerBytes, headerBytes + length)
        : await this.readAt(address + headerBytes, length);
    if (body.length < length) throw fail(address, 'the file ends inside a B-tree node');
    const keyAt = (i: number) => i * (this.keyBytes + o);
    for (let i = 0; i <= entries; i++) this.checkKey(body, keyAt(i), address + headerBytes, i < entries);
    for (let i = 0; i < entries; i++) {
      const at = keyAt(i);
      const childAt = at + this.keyBytes;
      const child = readUint(body, childAt, o);
      const where = address + headerBytes + childAt;
      if (child === undefined) throw fail(where, 'B-tree child at an undefined address');
      if (nodeLevel > 0) await this.node(this.sb.baseAddress + child, nodeLevel - 1, where);
      else this.chunk(body, at, this.sb.baseAddress + child, where);
    }
  }

  /** Key `at` of a node: offsets on chunk boundaries, inside the dataset, after the previous key. */
  private checkKey(body: Uint8Array, at: number, bodyOffset: number, isLeft: boolean): void {
    const { dims } = this.index;
    const rank = dims.length;
    for (let d = 0; d < rank; d++) {
      const offset = readLength(body, at + 8 + 8 * d, 8);
      const bad =
        offset % dims[d] !== 0 ||
        (isLeft && (d === rank - 1 ? offset !== 0 : offset >= Math.max(this.shape[d], 1)));
      if (bad)
        throw invalidHdf5(this.path, bodyOffset + at + 8 + 8 * d, `chunk index: bad chunk offset ${offset}`);
    }
    if (at === 0) return;
    const previous = at - (this.keyBytes + this.sb.sizeOfOffsets);
    for (let d = 0; d < rank; d++) {
      const a = readLength(body, previous + 8 + 8 * d, 8);
      const b = readLength(body, at + 8 + 8 * d, 8);
      if (a < b) return;
      if (a > b) break;
    }
    throw invalidHdf5(this.path, bodyOffset + at, 'chunk index: B-tree keys out of order');
  }

  /** A leaf entry: its chunk inside the file, its filter mask and size consistent. */
  private chunk(body: Uint8Array, at: number, address: number, where: number): void {
    const size = readLength(body, at, 4);
    const mask = readLength(body, at + 4, 4);
    const { filters } = this.index;
    const fail = (what: string) => invalidHdf5(this.path, where, `chunk index: ${what}`);
    if (mask >>> filters.length !== 0 && filters.length < 32)
      throw fail(`filter mask ${mask} for ${filters.length} filters`);
    if (size === 0 || address + size > this.fileEnd)
      throw fail(`chunk of ${size} bytes at byte ${address} is outside the file`);
    const active = filters.filter((_, i) => !(mask & (1 << i)));
    if (active.every((id) => id === FILTER_SHUFFLE || id === FILTER_FLETCHER32)) {
      const expected = this.rawBytes + (active.includes(FILTER_FLETCHER32) ? 4 : 0);
      if (size !== expected)
        throw fail(`chunk of ${size} bytes, ${expected} expected with filter mask ${mask}`);
    }
    this.addresses.push(address);
    this.sizes.push(size);
  }

  /** No two chunks share a byte. */
  checkOverlaps(): void {
    const { addresses, sizes } = this;
    const order = Uint32Array.from(addresses.keys()).sort((a, b) => addresses[a] - addresses[b]);
    for (let k = 1; k < order.length; k++) {
      const [p, q] = [order[k - 1], order[k]];
      if (addresses[p] + sizes[p] > addresses[q]) {
        const what = `chunk index: chunks at bytes ${addresses[p]} and ${addresses[q]} overlap`;
        throw invalidHdf5(this.path, addresses[q], what);
      }
    }
  }
}
