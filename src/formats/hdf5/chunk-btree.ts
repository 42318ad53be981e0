/**
 * The chunk index of a 1-D chunked dataset whose chunks lie back to back in row order: a
 * version 1 B-tree of type 1 (raw data chunks), as libhdf5 builds it for layout message
 * version 3, encoded by sluice so the records can be written at their offsets instead of
 * through libhdf5 (pandas-region.ts).
 *
 * Every node is allocated at its full size, 2K entries (K from the superblock, 32 by
 * default), because libhdf5 reads nodes at that size and inserts into them in place when
 * the dataset is extended later (`HDFStore.append` onto the file). Leaves hold 2K chunks each,
 * the last leaf the rest; a level above holds 2K nodes of the level below, up to one root.
 * Nodes are laid out root first, level by level, each level left to right, with their sibling
 * addresses linked as libhdf5 links them.
 *
 * Keys are what libhdf5 writes (checked against PyTables' files in
 * test/fixtures/pandas/btree-*.h5): a chunk's key is its size in bytes, filter mask 0 and its
 * offset (row, 0); a node's last key is the key of the chunk after its last one, or, for the
 * dataset's last chunk, size 0 and offset (row, element size) — the "right key" libhdf5
 * gives the rightmost chunk.
 */

/** The chunks to index: `count` chunks of `chunkRows` rows, each `chunkBytes` long, from `dataAddress`. */
export interface ChunkRun {
  readonly count: number;
  readonly chunkRows: number;
  /** Bytes of one record (the datatype's size, the layout's last chunk dimension). */
  readonly rowBytes: number;
  /** File address (relative to the base address) of chunk 0; chunk i follows at i × chunkRows × rowBytes. */
  readonly dataAddress: number;
  /** Entries per node: 2K. */
  readonly entries: number;
}

const SIZE_OF_OFFSETS = 8;
const HEADER_BYTES = 8 + 2 * SIZE_OF_OFFSETS;
/** A 1-D dataset's key: chunk size u32, filter mask u32, offsets (row, 0) as u64. */
const KEY_BYTES = 8 + 2 * 8;
const UNDEFINED = 0xffffffffffffffffn;

/** Bytes of one node allocated at full size. */
export function btreeNodeBytes(entries: number): number {
  return HEADER_BYTES + entries * (KEY_BYTES + SIZE_OF_OFFSETS) + KEY_BYTES;
}

/** Nodes per level, leaves first; empty for no chunks. */
export function btreeLevels(run: Pick<ChunkRun, 'count' | 'entries'>): number[] {
  if (run.count === 0) return [];
  const levels = [Math.ceil(run.count / run.entries)];
  while (levels[levels.length - 1] > 1) levels.push(Math.ceil(levels[levels.length - 1] / run.entries));
  return levels;
}

/** Bytes the whole index takes. */
export function btreeBytes(run: Pick<ChunkRun, 'count' | 'entries'>): number {
  return btreeLevels(run).reduce((n, nodes) => n + nodes, 0) * btreeNodeBytes(run.entries);
}

/**
 * Encodes the index of `run` for the file address `address` (its root is there), handing
 * the bytes to `write` in pieces of whole nodes, in file order, from `address` on.
 */
export async function encodeChunkBTree(
  run: ChunkRun,
  address: number,
  write: (bytes: Uint8Array) => Promise<void>,
): Promise<void> {
  const levels = btreeLevels(run);
  const nodeBytes = btreeNodeBytes(run.entries);
  // Level L's first node: the root (top level) at `address`, then each level below.
  const starts: number[] = new Array<number>(levels.length);
  let at = address;
  for (let level = levels.length - 1; level >= 0; level--) {
    starts[level] = at;
    at += levels[level] * nodeBytes;
  }
  const batchNodes = Math.max(1, Math.floor((1 << 20) / nodeBytes));
  const buffer = new Uint8Array(batchNodes * nodeBytes);
  const view = new DataView(buffer.buffer);
  let filled = 0;
  for (let level = levels.length - 1; level >= 0; level--) {
    for (let i = 0; i < levels[level]; i++) {
      encodeNode(view, filled * nodeBytes, run, level, i, levels[level], starts);
      if (++filled === batchNodes) {
        await write(buffer);
        buffer.fill(0);
        filled = 0;
      }
    }
  }
  if (filled > 0) await write(buffer.subarray(0, filled * nodeBytes));
}

/** Node `i` of `level` (`count` nodes on that level) at byte `at` of `view`, zeroed. */
function encodeNode(
  view: DataView,
  at: number,
  run: ChunkRun,
  level: number,
  i: number,
  count: number,
  starts: readonly number[],
): void {
  const { entries } = run;
  const nodeBytes = btreeNodeBytes(entries);
  // Chunks under one node of this level, and under one of its children.
  const span = entries ** (level + 1);
  const childSpan = entries ** level;
  const first = i * span;
  const end = Math.min(first + span, run.count);
  const children = Math.ceil((end - first) / childSpan);
  view.setUint32(at, 0x45455254, true); // "TREE"
  view.setUint8(at + 4, 1); // type 1: raw data chunks
  view.setUint8(at + 5, level);
  view.setUint16(at + 6, children, true);
  const sibling = (j: number) => (j < 0 || j >= count ? UNDEFINED : BigInt(starts[level] + j * nodeBytes));
  view.setBigUint64(at + 8, sibling(i - 1), true);
  view.setBigUint64(at + 16, sibling(i + 1), true);
  let pos = at + HEADER_BYTES;
  const chunkBytes = run.chunkRows * run.rowBytes;
  for (let c = 0; c < children; c++) {
    const chunk = first + c * childSpan;
    encodeKey(view, pos, chunkBytes, chunk * run.chunkRows, 0);
    pos += KEY_BYTES;
    const child =
      level === 0 ? run.dataAddress + chunk * chunkBytes : starts[level - 1] + (i * entries + c) * nodeBytes;
    view.setBigUint64(pos, BigInt(child), true);
    pos += SIZE_OF_OFFSETS;
  }
  if (end === run.count) encodeKey(view, pos, 0, (run.count - 1) * run.chunkRows, run.rowBytes);
  else encodeKey(view, pos, chunkBytes, end * run.chunkRows, 0);
}

function encodeKey(view: DataView, at: number, size: number, row: number, element: number): void {
  view.setUint32(at, size, true);
  view.setUint32(at + 4, 0, true); // filter mask: no filters
  view.setBigUint64(at + 8, BigInt(row), true);
  view.setBigUint64(at + 16, BigInt(element), true);
}
