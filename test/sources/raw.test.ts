import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TypedArray } from '../../src/core/dtype.ts';
import { dtypeOf } from '../../src/core/dtype.ts';
import { rawRowCount } from '../../src/sources/raw.ts';
import {
  BACKENDS,
  bytesOf,
  columnsOf,
  expectBatching,
  expectSluiceError,
  expectSpots,
  fixture,
  manifest,
  openSource,
  readAll,
  readFixture,
  sha256,
  stageNamed,
  valuesOf,
} from './source-harness.ts';

const RAW_FIXTURES = Object.keys(manifest).filter((name) => manifest[name].stage === 'raw');
const CASES = [1, 7, 4096, 1048576].flatMap((chunkRows) => [0, 5].map((overlap) => [chunkRows, overlap]));

describe.each(BACKENDS)('raw source (io: %s)', (io) => {
  describe.each(RAW_FIXTURES)('%s', (name) => {
    const facts = manifest[name];
    let whole: Record<string, TypedArray>;

    beforeAll(async () => {
      whole = columnsOf(await readFixture(name, { io, chunkRows: facts.rows + 13 }));
    });

    it('reads every channel exactly', () => {
      expect(Object.keys(whole)).toEqual(Object.keys(facts.columns));
      for (const [column, expected] of Object.entries(facts.columns)) {
        expect(dtypeOf(whole[column])).toBe(expected.dtype);
        expect(sha256(bytesOf(whole[column])), column).toBe(expected.sha256);
        expectSpots(whole[column], 1, expected.spots);
      }
    });

    it.each(CASES)('chunkRows %i, overlap %i: batches tile the file', async (chunkRows, overlap) => {
      const batches = await readFixture(name, { io, chunkRows }, { overlap });
      expectBatching(batches, whole, { startRow: 0, endRow: facts.rows, chunkRows, overlap });
    });

    it('shards by startRow/endRow', async () => {
      const range = { startRow: 1234, endRow: 3001, chunkRows: 100, overlap: 5 };
      const batches = await readFixture(
        name,
        { io, startRow: 1234, endRow: 3001, chunkRows: 100 },
        { overlap: 5 },
      );
      expectBatching(batches, whole, range);
    });
  });
});

describe('raw source: sizes and params', () => {
  const hdr = fixture('raw/f4-le-hdr.bin'); // 100 header bytes, 4001 rows × 2 float32, 3 stray bytes
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-raw-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('parses defaults', () => {
    const stage = stageNamed('raw');
    expect(stage.params.parse({ path: hdr, dtype: 'int16' })).toEqual({
      path: hdr,
      recursive: false,
      dtype: 'int16',
      endian: 'little',
      offset: 0,
      channels: ['value'],
      chunkRows: 1048576,
      startRow: 0,
      io: 'auto',
    });
    expect(stage.extensions).toEqual(['.raw', '.bin', '.dat']);
  });

  it.each([
    [{ path: hdr }, 'dtype'],
    [{ path: hdr, dtype: 'float16' }, 'dtype'],
    [{ path: hdr, dtype: 'int8', endian: 'middle' }, 'endian'],
    [{ path: hdr, dtype: 'int8', channels: ['a', 'a'] }, 'channels'],
    [{ path: hdr, dtype: 'int8', channels: [] }, 'channels'],
    [{ path: hdr, dtype: 'int8', offset: -1 }, 'offset'],
  ])('rejects %j at %s', (params, key) => {
    const result = stageNamed('raw').params.safeParse(params);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path).toEqual([key]);
  });

  it('names the remainder when the data is not whole rows', async () => {
    const params = { path: hdr, dtype: 'float32', offset: 100, channels: ['a', 'b'] };
    await expectSluiceError(openSource('raw', params), 'SIZE_MISMATCH', {
      path: hdr,
      offset: 100 + 4001 * 8,
      message: /\(3 bytes remain\)/,
      hint: /length: 4001/,
    });
  });

  it('refuses a length beyond the file', async () => {
    const params = { path: hdr, dtype: 'float32', offset: 100, length: 4002, channels: ['a', 'b'] };
    await expectSluiceError(openSource('raw', params), 'SIZE_MISMATCH', {
      path: hdr,
      message: /needs 32016 bytes/,
    });
  });

  it('refuses an offset beyond the file', async () => {
    await expectSluiceError(openSource('raw', { path: hdr, dtype: 'uint8', offset: 1e6 }), 'SIZE_MISMATCH', {
      path: hdr,
    });
  });

  it('counts rows from offset, length and channels', () => {
    const p = { path: 'x', dtype: 'int16' as const, offset: 10, channels: ['a', 'b', 'c'] };
    expect(rawRowCount(p, 10 + 6 * 7)).toBe(7);
    expect(rawRowCount({ ...p, length: 3 }, 10 + 6 * 7 + 5)).toBe(3);
    expect(rawRowCount({ ...p, length: 0 }, 10)).toBe(0);
  });

  it('describes itself', async () => {
    const source = await openSource('raw', {
      ...manifest['i2-be-3ch'].params,
      path: fixture('raw/i2-be-3ch.raw'),
      sampleRate: 5,
    });
    await source.close();
    expect(source.details).toEqual({
      dtype: 'int16',
      byteOrder: 'big',
      channels: ['x', 'y', 'z'],
      dataOffset: 0,
      rowBytes: 6,
      totalRows: 10007,
    });
    expect(source.schema.sampleRate).toBe(5);
    expect(source.schema.columns.map((c) => c.name)).toEqual(['x', 'y', 'z']);
  });

  // Values at an odd offset cannot be viewed in place; single big-endian channels are
  // swapped in place (read) or copied (mmap). Either way the values must come out right.
  it.each(BACKENDS.flatMap((io) => [1, 3, 8].map((offset) => [io, offset] as const)))(
    'io %s, offset %i: one channel, both byte orders',
    async (io, offset) => {
      const values = new Int32Array([1, -2, 300000, -400000, 0x12345678, -1, 7]);
      const le = Buffer.from(values.buffer);
      const be = Buffer.from(le).swap32();
      for (const [endian, bytes] of [
        ['little', le],
        ['big', be],
      ] as const) {
        const path = join(dir, `one-${offset}-${endian}.raw`);
        await writeFile(path, Buffer.concat([Buffer.alloc(offset, 0xee), bytes]));
        const batches = await readAll(
          await openSource('raw', { path, io, dtype: 'int32', endian, offset, chunkRows: 3 }),
          {
            overlap: 2,
          },
        );
        const joined = batches.map((b) => valuesOf(b.columns.value.data.subarray(b.history)));
        expect(joined.flat(), endian).toEqual(Array.from(values));
      }
    },
  );

  it('int64 channels stay BigInt64Array, exact beyond 2^53', async () => {
    const values = new BigInt64Array([2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 5n]);
    const path = join(dir, 'big.raw');
    await writeFile(path, Buffer.from(Buffer.from(values.buffer)).swap64());
    const [batch] = await readAll(
      await openSource('raw', { path, dtype: 'int64', endian: 'big', channels: ['a', 'b'] }),
    );
    expect(batch.columns.a.data).toEqual(new BigInt64Array([2n ** 53n + 1n, 2n ** 63n - 1n]));
    expect(batch.columns.b.data).toEqual(new BigInt64Array([-(2n ** 63n), 5n]));
  });
});
