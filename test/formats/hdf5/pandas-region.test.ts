/**
 * The pandas table sized before the run (pandas-region.ts): h5wasm's metadata, sluice's chunk
 * index (chunk-btree.ts, allocate-chunks.ts) and records (pandas-records.ts). Checked without
 * Python against test/fixtures/pandas/btree-250-chunks.* (PyTables 3.7 forced to 4-row
 * chunks, make_btree_fixtures.py): the same values read back by libhdf5 (h5wasm), the same
 * chunk keys in the same order, and a tree sluice's own chunk-index checker accepts. Where
 * /usr/bin/python3 has pandas and PyTables, check_pandas_table.py also runs pd.read_hdf,
 * HDFStore.select(where=…, iterator=True), h5py, HDFStore.append onto the file and ptrepack.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../../../src/core/schema.ts';
import type { SinkStage } from '../../../src/core/stage.ts';
import { btreeBytes, btreeLevels, btreeNodeBytes } from '../../../src/formats/hdf5/chunk-btree.ts';
import { checkChunkIndex } from '../../../src/formats/hdf5/chunk-index.ts';
import { objectAddress, readDatasetStorage, readSuperblock } from '../../../src/formats/hdf5/layout.ts';
import type { ReadAt } from '../../../src/formats/hdf5/layout.ts';
import { createPandasTableRegion, PandasRecordsEncoder } from '../../../src/formats/hdf5/pandas-region.ts';
import { createAtomicFile } from '../../../src/io/atomic-file.ts';
import { PandasRecordPacker } from '../../../src/formats/hdf5/pandas-records.ts';
import type { ColumnChunk } from '../../../src/formats/table-encoder.ts';
import { registry } from '../../../src/stages.ts';
import type { Table } from '../../support/batches.ts';
import { chunkBatches, rowCountOf, schemaOf } from '../../support/batches.ts';
import { runSink } from '../../support/run-sink.ts';
import { pandasFrame } from '../../support/pandas-frame.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/pandas');
const PYTHON = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'sluice-pandas-region-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await h5wasm.ready;
});

const sink = registry.get('hdf5', 'sink') as SinkStage;

/** make_btree_fixtures.py's frame(0, n) and check_pandas_table.py's `ab`. */
function abFrame(n: number): Table {
  const a = new Float32Array(n);
  const b = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = i * 0.5;
    b[i] = i % 7;
  }
  return { a, b };
}

/** Writes `table` through the hdf5 sink, the row count known (the sized table) or not (h5wasm). */
async function writeSized(
  path: string,
  table: Table,
  params: Record<string, unknown>,
  sized = true,
): Promise<void> {
  const rows = rowCountOf(table);
  await runSink(
    sink,
    { out: path, layout: 'pandas', ...params },
    schemaOf(table),
    chunkBatches(table, 300, { history: 3 }),
    { rows: sized ? rows : undefined },
  );
}

function tableRows(path: string, key = 'df'): unknown[][] {
  const f = new h5wasm.File(path, 'r');
  try {
    return (f.get(`/${key}/table`) as InstanceType<typeof h5wasm.Dataset>).value as unknown[][];
  } finally {
    f.close();
  }
}

const readAtBytes =
  (bytes: Uint8Array): ReadAt =>
  async (offset, length) =>
    bytes.subarray(offset, offset + length);

interface TreeNode {
  level: number;
  entries: number;
  keys: number[][];
  nodes: TreeNode[] | null;
}

/** A chunk B-tree node and its subtree, as make_btree_fixtures.py dumps one. */
function readNode(bytes: Uint8Array, at: number): TreeNode {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const level = bytes[at + 5];
  const entries = dv.getUint16(at + 6, true);
  const keys: number[][] = [];
  const children: number[] = [];
  let pos = at + 24;
  for (let i = 0; i <= entries; i++) {
    keys.push([
      dv.getUint32(pos, true),
      dv.getUint32(pos + 4, true),
      Number(dv.getBigUint64(pos + 8, true)),
      Number(dv.getBigUint64(pos + 16, true)),
    ]);
    pos += 24;
    if (i < entries) children.push(Number(dv.getBigUint64(pos, true)));
    pos += 8;
  }
  return { level, entries, keys, nodes: level > 0 ? children.map((c) => readNode(bytes, c)) : null };
}

/** The tree's chunk keys left to right, its last key, and every node's last key = the next node's first. */
function leafKeys(root: TreeNode): { chunks: number[][]; last: number[] } {
  const chunks: number[][] = [];
  const walk = (n: TreeNode, right: number[]) => {
    expect(n.keys[n.entries]).toEqual(right);
    if (!n.nodes) chunks.push(...n.keys.slice(0, n.entries));
    else
      n.nodes.forEach((child, i) => {
        expect(child.keys[0]).toEqual(n.keys[i]);
        walk(child, n.keys[i + 1]);
      });
  };
  walk(root, root.keys[root.entries]);
  return { chunks, last: root.keys[root.entries] };
}

/** The table's chunk index root, checked by sluice's reader-side checker. */
async function indexOf(
  path: string,
  rows: number,
): Promise<{ bytes: Uint8Array; root: number; dims: readonly number[] }> {
  const bytes = new Uint8Array(readFileSync(path));
  const readAt = readAtBytes(bytes);
  const sb = await readSuperblock(readAt, bytes.length, path);
  const f = new h5wasm.File(path, 'r');
  let header: number;
  try {
    header = objectAddress(
      (f.get('/df/table') as InstanceType<typeof h5wasm.Dataset>).create_reference().ref_data,
    );
  } finally {
    f.close();
  }
  const storage = await readDatasetStorage(readAt, bytes.length, sb, header, path);
  if (storage.kind !== 'other' || !storage.chunks?.address) throw new Error('no chunk index');
  await checkChunkIndex(readAt, bytes.length, sb, storage.chunks, [rows], path);
  return { bytes, root: storage.chunks.address, dims: storage.chunks.dims };
}

const fixture = JSON.parse(readFileSync(join(FIXTURES, 'btree-250-chunks.json'), 'utf8')) as {
  chunkRows: number;
  rows: number;
  tree: TreeNode;
};

describe('pandas table sized before the run', () => {
  it('250 chunks of 4 rows: PyTables’ values and chunk keys, a 2-level tree of full-size nodes', async () => {
    const path = join(dir, 'ab.h5');
    await writeSized(path, abFrame(1000), { chunkRows: 4 });
    expect(tableRows(path)).toEqual(tableRows(join(FIXTURES, 'btree-250-chunks.h5')));
    const { bytes, root, dims } = await indexOf(path, 1000);
    expect(dims).toEqual([4, 16]);
    const ours = readNode(bytes, root);
    expect(ours.level).toBe(1);
    expect(ours.nodes?.map((n) => n.entries)).toEqual([64, 64, 64, 58]);
    // PyTables' leaves split at 57 entries; the keys, left to right, are the same.
    expect(leafKeys(ours)).toEqual(leafKeys(fixture.tree));
    expect(leafKeys(ours).last).toEqual([0, 0, 996, 16]);
  });

  it('3 levels (5000 one-row chunks) and the records at offset + r × rowBytes', async () => {
    const path = join(dir, 'deep.h5');
    const columns: ColumnSchema[] = [
      { name: 'a', dtype: 'float32', width: 1 },
      { name: 'b', dtype: 'int32', width: 1 },
    ];
    const region = await createPandasTableRegion(path, columns, { key: 'df', chunkRows: 1 }, 5000);
    expect(region).toMatchObject({ rowBytes: 16, chunkRows: 1 });
    expect(region.offset % 4096).toBe(0);
    const { a, b } = abFrame(5000) as { a: Float32Array; b: Int32Array };
    const chunks: ColumnChunk[] = [
      { column: columns[0], data: a },
      { column: columns[1], data: b },
    ];
    // Two writers, each its own row range, as threads would write them.
    const packer = new PandasRecordPacker(columns);
    const { open } = await import('node:fs/promises');
    const handle = await open(path, 'r+');
    try {
      for (const [from, to] of [
        [2500, 5000],
        [0, 2500],
      ]) {
        const packed = packer.pack(chunks, from, to - from, from);
        await handle.write(packed, 0, packed.length, region.offset + from * region.rowBytes);
      }
    } finally {
      await handle.close();
    }
    const rows = tableRows(path);
    expect(rows).toHaveLength(5000);
    expect(rows.every((r, i) => r[0] === BigInt(i) && r[1] === a[i] && r[2] === b[i])).toBe(true);
    const { bytes, root } = await indexOf(path, 5000);
    const tree = readNode(bytes, root);
    expect(btreeLevels({ count: 5000, entries: 64 })).toEqual([79, 2, 1]);
    expect([tree.level, tree.entries, tree.nodes?.map((n) => n.entries)]).toEqual([2, 2, [64, 15]]);
    const { chunks: keys, last } = leafKeys(tree);
    expect(keys.map((k) => k[2])).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(keys.every((k) => k[0] === 16 && k[1] === 0 && k[3] === 0)).toBe(true);
    expect(last).toEqual([0, 0, 4999, 16]);
    expect(bytes.length).toBe(region.offset + 5000 * 16);
  });

  it('the encoder takes batches and records packed elsewhere alike, in row order', async () => {
    const path = join(dir, 'mixed-writes.h5');
    const columns: ColumnSchema[] = [
      { name: 'a', dtype: 'float32', width: 1 },
      { name: 'b', dtype: 'int32', width: 1 },
    ];
    const { a, b } = abFrame(1000) as { a: Float32Array; b: Int32Array };
    const chunk = (from: number, to: number): ColumnChunk[] => [
      { column: columns[0], data: a.subarray(from, to) },
      { column: columns[1], data: b.subarray(from, to) },
    ];
    const file = await createAtomicFile(path);
    const encoder = await PandasRecordsEncoder.open(file, columns, { key: 'df', chunkRows: 64 }, 1000);
    await encoder.write(chunk(0, 300), 300);
    // A worker's packer: its own instance, the rows numbered from where they go.
    await encoder.writeRecords(new PandasRecordPacker(columns).pack(chunk(300, 1000), 0, 700, 300), 700);
    await encoder.finish();
    expect(tableRows(path)).toEqual(tableRows(join(FIXTURES, 'btree-250-chunks.h5')));
  });

  it('index sizes: 2K entries a node, one node up to 64 chunks', () => {
    expect(btreeNodeBytes(64)).toBe(24 + 64 * 32 + 24);
    expect(btreeLevels({ count: 0, entries: 64 })).toEqual([]);
    expect(btreeLevels({ count: 64, entries: 64 })).toEqual([1]);
    expect(btreeLevels({ count: 65, entries: 64 })).toEqual([2, 1]);
    expect(btreeLevels({ count: 4097, entries: 64 })).toEqual([65, 2, 1]);
    expect(btreeBytes({ count: 4097, entries: 64 })).toBe(68 * 2096);
  });

  it('no rows: the table exists, empty, with no chunk', async () => {
    const path = join(dir, 'empty.h5');
    const columns: ColumnSchema[] = [{ name: 'a', dtype: 'float64', width: 1 }];
    const region = await createPandasTableRegion(path, columns, { key: 'df', chunkRows: 10 }, 0);
    expect(region.rowBytes).toBe(16);
    expect(tableRows(path)).toEqual([]);
  });

  it('packs the same records as the general packer: width-k, 8-byte fields, NaN payloads, row numbers past 2^32', () => {
    const n = 37;
    const f64 = new Float64Array(n * 2);
    const i32 = new Int32Array(n);
    const u64 = new BigUint64Array(n);
    const f32 = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      f64[2 * i] = i / 3;
      f64[2 * i + 1] = -i;
      i32[i] = -i * 1000;
      u64[i] = 2n ** 63n + BigInt(i);
      for (let j = 0; j < 3; j++) f32[3 * i + j] = i * 10 + j;
    }
    new Uint32Array(f32.buffer)[4] = 0x7fc00123; // a NaN with a payload
    const columns: ColumnSchema[] = [
      { name: 'p', dtype: 'float64', width: 2 },
      { name: 'q', dtype: 'int32', width: 1 },
      { name: 'r', dtype: 'uint64', width: 1 },
      { name: 's', dtype: 'float32', width: 3 },
    ];
    const chunks = [f64, i32, u64, f32].map((data, i): ColumnChunk => ({ column: columns[i], data }));
    const first = 2 ** 32 + 5;
    const fast = new PandasRecordPacker(columns).pack(chunks, 7, 20, first).slice();
    // A uint8 column sends the same fields through RecordPacker (and itself adds one byte).
    const general = new PandasRecordPacker([...columns, { name: 'z', dtype: 'uint8', width: 1 }]);
    const withByte = general.pack(
      [...chunks, { column: { name: 'z', dtype: 'uint8', width: 1 }, data: new Uint8Array(n) }],
      7,
      20,
      first,
    );
    const rowBytes = 8 + 16 + 4 + 8 + 12;
    for (let r = 0; r < 20; r++) {
      expect(fast.subarray(r * rowBytes, (r + 1) * rowBytes)).toEqual(
        withByte.subarray(r * (rowBytes + 1), r * (rowBytes + 1) + rowBytes),
      );
    }
    const dv = new DataView(fast.buffer);
    expect(dv.getBigInt64(0, true)).toBe(BigInt(first));
    expect(dv.getFloat64(8, true)).toBe(7 / 3);
    expect(dv.getUint32(rowBytes * 0 + 8 + 16 + 4 + 8 + 4, true)).toBe(
      new Uint32Array(f32.buffer)[3 * 7 + 1],
    );
    expect(new Uint32Array(fast.slice(0, rowBytes * 20).buffer)[0]).toBe(5);
  });
});

const hasPandas = spawnSync(PYTHON, ['-c', 'import pandas, tables, h5py'], { encoding: 'utf8' }).status === 0;
if (!hasPandas)
  console.warn(`pandas-region.test.ts: ${PYTHON} lacks pandas/PyTables/h5py: the pandas checks are skipped`);

describe.skipIf(!hasPandas)('pandas reads, selects and appends onto it (/usr/bin/python3)', () => {
  const check = (path: string, rows: number, kind: string) => {
    const run = spawnSync(PYTHON, [join(FIXTURES, 'check_pandas_table.py'), path, 'df', String(rows), kind], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  };

  it.each([
    ['ab', 1000, 4, 'sized'],
    ['ab', 5000, 1, 'sized'],
    ['mixed', 3001, 64, 'sized'],
    ['ab', 1, 1, 'sized'],
    ['ab', 1000, 4, 'through h5wasm'],
  ])(
    '%s frame, %i rows in chunks of %i (%s)',
    async (kind, rows, chunkRows, how) => {
      const path = join(dir, `py-${kind}-${rows}-${how}.h5`);
      const table = kind === 'ab' ? abFrame(rows) : pandasFrame(rows);
      await writeSized(path, table, { chunkRows }, how === 'sized');
      const report = check(path, rows, kind);
      expect(report).toMatchObject({
        read_hdf: rows,
        appended: rows + 1000,
        h5py_chunks: Math.ceil(rows / chunkRows),
      });
    },
    60_000,
  );
});
