import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TypedArray } from '../../src/core/dtype.ts';
import { dtypeOf } from '../../src/core/dtype.ts';
import { formatNpyHeader } from '../../src/formats/npy/header.ts';
import {
  BACKENDS,
  bytesOf,
  columnsOf,
  expectBatch,
  expectBatching,
  expectSluiceError,
  expectSpots,
  fixture,
  FIXTURES,
  joinNewRows,
  manifest,
  openSource,
  readAll,
  readFixture,
  sha256,
  stageNamed,
} from './source-harness.ts';

const NPY_FIXTURES = Object.keys(manifest).filter((name) => manifest[name].stage === 'npy');
const CASES = [1, 7, 4096, 1048576].flatMap((chunkRows) => [0, 5].map((overlap) => [chunkRows, overlap]));

interface GoldenStats {
  count: number;
  std?: number;
  mean: number;
  min: number | string;
  max: number | string;
  nanCount: number;
}

function golden(name: string): Record<string, GoldenStats> {
  const text = readFileSync(`${FIXTURES}golden/sources/${name}.json`, 'utf8');
  return (JSON.parse(text) as { stats: { columns: Record<string, GoldenStats> } }).stats.columns;
}

/** count, nanCount, min, max and mean of a column, computed plainly, to check the golden against. */
function summarize(data: TypedArray): GoldenStats {
  let count = 0;
  let sum = 0;
  let min: number | bigint | undefined;
  let max: number | bigint | undefined;
  for (const v of data) {
    if (typeof v === 'number' && Number.isNaN(v)) continue;
    count++;
    sum += Number(v);
    if (min === undefined || v < min) min = v;
    if (max === undefined || v > max) max = v;
  }
  const bound = (v: number | bigint | undefined) =>
    typeof v === 'bigint' && (v > 2n ** 53n || v < -(2n ** 53n)) ? v.toString() : Number(v);
  return { count, mean: sum / count, min: bound(min), max: bound(max), nanCount: data.length - count };
}

describe.each(BACKENDS)('npy source (io: %s)', (io) => {
  describe.each(NPY_FIXTURES)('%s', (name) => {
    const facts = manifest[name];
    let whole: Record<string, TypedArray>;

    beforeAll(async () => {
      whole = columnsOf(await readFixture(name, { io, chunkRows: facts.rows + 13 }));
    });

    it('reads every column exactly (dtype, width, bytes, spot values, golden stats)', () => {
      expect(Object.keys(whole)).toEqual(Object.keys(facts.columns));
      const stats = golden(name);
      for (const [column, expected] of Object.entries(facts.columns)) {
        const data = whole[column];
        expect(dtypeOf(data), column).toBe(expected.dtype);
        expect(data.length).toBe(facts.rows * expected.width);
        expect(sha256(bytesOf(data)), column).toBe(expected.sha256);
        expectSpots(data, expected.width, expected.spots);
        const { mean, ...exact } = summarize(data);
        const { mean: goldenMean, std: _std, ...goldenExact } = stats[column];
        expect(exact, column).toEqual(goldenExact);
        expect(Math.abs(mean - goldenMean)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(goldenMean)));
      }
    });

    it.each(CASES)('chunkRows %i, overlap %i: batches tile the file', async (chunkRows, overlap) => {
      const batches = await readFixture(name, { io, chunkRows }, { overlap });
      expectBatching(batches, whole, { startRow: 0, endRow: facts.rows, chunkRows, overlap });
      for (const column of Object.keys(whole))
        expect(joinNewRows(batches, column).equals(bytesOf(whole[column]))).toBe(true);
    });

    it('reuses buffers when asked: each batch is right while it is current', async () => {
      const source = await openSource('npy', { path: fixture(facts.file), io, chunkRows: 7 });
      const range = { startRow: 0, endRow: facts.rows, chunkRows: 7, overlap: 5 };
      let k = 0;
      for await (const batch of source.batches({ overlap: 5, reuseBuffers: true }))
        expectBatch(batch, k++, whole, range);
      await source.close();
      expect(k).toBe(Math.ceil(facts.rows / 7));
    });

    it('shards by startRow/endRow join to the whole file', async () => {
      const cuts = [
        0,
        Math.floor(facts.rows / 3),
        Math.floor(facts.rows / 3) + 1,
        facts.rows - 2,
        facts.rows,
      ];
      const joined: Record<string, Buffer[]> = {};
      for (let s = 0; s + 1 < cuts.length; s++) {
        const range = { startRow: cuts[s], endRow: cuts[s + 1], chunkRows: 1000, overlap: 5 };
        const { startRow, endRow, chunkRows } = range;
        const batches = await readFixture(name, { io, startRow, endRow, chunkRows }, { overlap: 5 });
        expectBatching(batches, whole, range);
        for (const column of Object.keys(whole)) (joined[column] ??= []).push(joinNewRows(batches, column));
      }
      for (const column of Object.keys(whole))
        expect(Buffer.concat(joined[column]).equals(bytesOf(whole[column]))).toBe(true);
    });
  });
});

describe('npy source: malformed files', () => {
  // [fixture, code, byte offset (undefined: not checked), message or hint pattern]
  const cases: [string, string, number | undefined, RegExp][] = [
    ['bad-magic.npy', 'FORMAT_INVALID', 1, /bad magic/],
    ['bad-version.npy', 'FORMAT_UNSUPPORTED', 6, /version 9\.0/],
    [
      'bad-header-syntax.npy',
      'FORMAT_INVALID',
      10 + "{'descr': '<f4', 'fortran_order': False, 'shape': (10,".length,
      /at byte 64: expected a value/,
    ],
    ['bad-header-keys.npy', 'FORMAT_INVALID', 10, /keys are \[descr, shape\]/],
    ['bad-header-cut.npy', 'FORMAT_INVALID', 40, /header/],
    ['bad-truncated.npy', 'SIZE_MISMATCH', 518, /truncated.*needs 400 bytes .* has 390/],
    ['bad-trailing.npy', 'SIZE_MISMATCH', 528, /7 extra bytes.*needs 400 bytes .* has 407/],
    ['bad-object.npy', 'FORMAT_UNSUPPORTED', 10, /'\|O'/],
    ['bad-archive.npz', 'FORMAT_UNSUPPORTED', 0, /zip archive/],
    ['bad-complex.npy', 'FORMAT_UNSUPPORTED', 10, /'<c8'/],
    ['bad-f2.npy', 'FORMAT_UNSUPPORTED', 10, /'<f2'/],
    ['bad-unicode.npy', 'FORMAT_UNSUPPORTED', 10, /'<U2'/],
    ['bad-datetime.npy', 'FORMAT_UNSUPPORTED', 10, /'<M8\[s\]'/],
    ['bad-3d.npy', 'FORMAT_UNSUPPORTED', 10, /3-d arrays/],
    ['bad-0d.npy', 'FORMAT_UNSUPPORTED', 10, /0-d/],
    ['bad-nested.npy', 'FORMAT_UNSUPPORTED', 10, /nested structure/],
  ];
  it.each(cases)('%s → %s', async (file, code, offset, message) => {
    const path = fixture(`npy/${file}`);
    await expectSluiceError(openSource('npy', { path, io: 'read' }), code, { path, offset, message });
  });

  it.each([
    ['bad-object.npy', /allow_pickle/],
    ['bad-archive.npz', /unzip it; each member is a \.npy/],
    ['bad-3d.npy', /reshape/],
    ['bad-truncated.npy', /cut short/],
  ])('%s has a hint saying how to fix it', async (file, hint) => {
    const error = await openSource('npy', { path: fixture(`npy/${file}`) }).catch((e: unknown) => e);
    expect((error as { hint?: string }).hint).toMatch(hint);
  });

  it('a missing file is INPUT_MISSING', async () => {
    await expectSluiceError(openSource('npy', { path: fixture('npy/nope.npy') }), 'INPUT_MISSING');
  });
});

describe('npy source: params, range and details', () => {
  const path = fixture('npy/f4-sine.npy');
  const stage = stageNamed('npy');

  it('parses defaults', () => {
    expect(stage.params.parse({ path })).toEqual({
      path,
      recursive: false,
      chunkRows: 1048576,
      startRow: 0,
      io: 'auto',
    });
    expect(stage.inputs(stage.params.parse({ path }))).toEqual([path]);
  });

  it.each([
    [{ path, chunkRows: 0 }, 'chunkRows'],
    [{ path, chunkRows: 1.5 }, 'chunkRows'],
    [{ path, startRow: -1 }, 'startRow'],
    [{ path, io: 'fast' }, 'io'],
    [{ path, sampleRate: 0 }, 'sampleRate'],
    [{}, 'path'],
  ])('rejects %j at %s', (params, key) => {
    const result = stage.params.safeParse(params);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path).toEqual([key]);
  });

  it('rejects unknown keys', () => {
    expect(stage.params.safeParse({ path, chunkrows: 5 }).success).toBe(false);
  });

  it('reports details, schema and size', async () => {
    const source = await openSource('npy', { path, sampleRate: 1e6, startRow: 7, endRow: 100 });
    await source.close();
    expect(source.details).toEqual({
      version: '1.0',
      descr: "'<f4'",
      shape: [10007],
      fortranOrder: false,
      dataOffset: 128,
      byteOrder: 'little',
      itemSize: 4,
      totalRows: 10007,
    });
    expect(source.schema).toEqual({
      columns: [{ name: 'value', dtype: 'float32', width: 1 }],
      sampleRate: 1e6,
      origin: 7,
      source: path,
    });
    expect({ rows: source.rows, bytes: source.bytes, format: source.format, path: source.path }).toEqual({
      rows: 93,
      bytes: 372,
      format: 'npy',
      path,
    });
  });

  it.each([
    [
      'struct-aligned',
      "[('a', '|u1'), ('', '|V7'), ('b', '>f8'), ('c', '<i4'), ('d', '>i2'), ('', '|V2')]",
      'mixed',
      false,
      '1.0',
    ],
    ['f2d-i2-be', "'>i2'", 'big', true, '1.0'],
    ['v3-struct', "[('température', '<f4'), ('Δt', '<i4')]", 'little', false, '3.0'],
    ['u1', "'|u1'", 'none', false, '1.0'],
  ])(
    '%s details: descr, byte order, order, version',
    async (name, descr, byteOrder, fortranOrder, version) => {
      const source = await openSource('npy', { path: fixture(manifest[name].file) });
      await source.close();
      expect(source.details).toMatchObject({ descr, byteOrder, fortranOrder, version });
    },
  );

  it('clamps endRow to the rows in the file', async () => {
    const batches = await readAll(await openSource('npy', { path, startRow: 10000, endRow: 20000 }));
    expect(batches.map((b) => [b.start, b.rows])).toEqual([[10000, 7]]);
  });

  it('reads nothing for an empty range', async () => {
    expect(await readAll(await openSource('npy', { path, startRow: 10007 }))).toEqual([]);
    expect(await readAll(await openSource('npy', { path, startRow: 50, endRow: 50 }))).toEqual([]);
  });

  it.each([
    [{ startRow: 10008 }, /beyond the 10007 rows/],
    [{ startRow: 20, endRow: 10 }, /after endRow/],
  ])('%j is RANGE_INVALID', async (range, message) => {
    await expectSluiceError(openSource('npy', { path, ...range }), 'RANGE_INVALID', { message });
  });

  it('sniffs the magic', () => {
    expect(stage.sniff?.(readFileSync(path).subarray(0, 4096))).toBe(true);
    expect(stage.sniff?.(readFileSync(fixture('raw/i2-be-3ch.raw')).subarray(0, 4096))).toBe(false);
    expect(stage.extensions).toEqual(['.npy', '.npz']);
  });

  it('reports progress in new rows and bytes', async () => {
    const seen: [number, number][] = [];
    const source = await openSource('npy', { path, chunkRows: 4096 });
    await readAll(source, { overlap: 5, onProgress: (p) => seen.push([p.rows, p.bytes]) });
    expect(seen).toEqual([
      [4096, 16384],
      [8192, 32768],
      [10007, 40028],
    ]);
  });

  it('stops at an aborted signal', async () => {
    const controller = new AbortController();
    const source = await openSource('npy', { path, chunkRows: 100 });
    const seen: number[] = [];
    const reading = (async () => {
      for await (const batch of source.batches({ overlap: 0, signal: controller.signal })) {
        seen.push(batch.start);
        if (seen.length === 3) controller.abort();
      }
    })();
    await expect(reading).rejects.toThrow(/abort/i);
    await source.close();
    expect(seen).toEqual([0, 100, 200]);
  });
});

describe('npy source: files written with formatNpyHeader', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-npy-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function writeNpy(name: string, descr: string, shape: number[], data: Uint8Array): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, Buffer.concat([formatNpyHeader({ descr, fortranOrder: false, shape }), data]));
    return path;
  }

  it.each(BACKENDS)('bool arrays arrive as uint8 0/1 (io: %s)', async (io) => {
    const path = await writeNpy('bool.npy', '|b1', [5], new Uint8Array([1, 0, 0, 1, 1]));
    const [batch] = await readAll(await openSource('npy', { path, io }));
    expect(batch.columns.value.data).toEqual(new Uint8Array([1, 0, 0, 1, 1]));
  });

  it.each(BACKENDS)('an empty array yields no batches (io: %s)', async (io) => {
    const path = await writeNpy('empty.npy', '<f8', [0], new Uint8Array(0));
    const source = await openSource('npy', { path, io });
    expect(source.rows).toBe(0);
    expect(await readAll(source)).toEqual([]);
  });

  it.each(BACKENDS)('a wide array with few rows reads with the default chunkRows (io: %s)', async (io) => {
    // 1048576 rows of 600 float64 would be 5 GB, but the file has 3 rows.
    const values = Float64Array.from({ length: 3 * 600 }, (_, i) => i);
    const path = await writeNpy('wide.npy', '<f8', [3, 600], new Uint8Array(values.buffer));
    const [batch, ...rest] = await readAll(await openSource('npy', { path, io }));
    expect(rest).toEqual([]);
    expect(batch.rows).toBe(3);
    expect(batch.columns.c599.data).toEqual(new Float64Array([599, 1199, 1799]));
  });

  it('a (n, 0) array has no columns and is refused', async () => {
    const path = await writeNpy('nocols.npy', '<f8', [4, 0], new Uint8Array(0));
    await expectSluiceError(openSource('npy', { path }), 'FORMAT_UNSUPPORTED', { path });
  });
});
