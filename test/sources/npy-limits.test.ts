/**
 * The npy source against headers that claim too much, and bool bytes other than 0/1: sizes
 * checked before anything is built, the documented column cap, numpy's reading of bools.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNpyHeader } from '../../src/formats/npy/header.ts';
import type { PyValue } from '../../src/formats/npy/py-literal.ts';
import { pyList, pyTuple } from '../../src/formats/npy/py-literal.ts';
import { MAX_TABLE_COLUMNS } from '../../src/io/table-reader.ts';
import { BACKENDS, fixture, openSource, readAll, valuesOf } from './source-harness.ts';

const expected = JSON.parse(readFileSync(fixture('reliability/expected.json'), 'utf8')) as Record<
  string,
  Record<string, number[]>
>;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-npy-limits-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function writeNpy(name: string, descr: PyValue, shape: number[], data: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, Buffer.concat([formatNpyHeader({ descr, fortranOrder: false, shape }), data]));
  return path;
}

async function openError(params: Record<string, unknown>): Promise<unknown> {
  return openSource('npy', params).then(
    async (source) => {
      await source.close();
      throw new Error('opened without error');
    },
    (error: unknown) => error,
  );
}

describe.each(BACKENDS)('bool bytes other than 0/1 read as 1, as numpy reads them (io: %s)', (io) => {
  it.each(['bool-c.npy', 'bool-f.npy', 'bool-struct.npy'])('%s', async (name) => {
    const want = expected[name];
    for (const chunkRows of [1, 2, 100]) {
      for (const reuseBuffers of [false, true]) {
        const source = await openSource('npy', { path: fixture(`reliability/${name}`), io, chunkRows });
        const got: Record<string, (number | bigint)[]> = {};
        for await (const batch of source.batches({ overlap: 1, reuseBuffers })) {
          for (const [column, { data, width }] of Object.entries(batch.columns))
            (got[column] ??= []).push(...valuesOf(data.subarray(batch.history * width)).map(Number));
        }
        await source.close();
        expect(got, `chunkRows ${chunkRows}`).toEqual(want);
      }
    }
  });

  it('leaves the file bytes alone: a second read sees the same values', async () => {
    const path = fixture('reliability/npy-bool-ff.npy');
    for (let pass = 0; pass < 2; pass++) {
      const batches = await readAll(await openSource('npy', { path, io }));
      expect(valuesOf(batches[0].columns.value.data)).toEqual([0, 1, 1, 1]);
    }
    expect([...readFileSync(path).subarray(-4)]).toEqual([0, 1, 0xff, 2]);
  });
});

describe('2-D arrays: at most MAX_TABLE_COLUMNS columns', () => {
  it('reads exactly MAX_TABLE_COLUMNS columns', async () => {
    const path = await writeNpy(
      'widest.npy',
      '|u1',
      [2, MAX_TABLE_COLUMNS],
      new Uint8Array(2 * MAX_TABLE_COLUMNS),
    );
    const source = await openSource('npy', { path });
    expect(source.schema.columns).toHaveLength(MAX_TABLE_COLUMNS);
    await source.close();
  });

  it('refuses one more with FORMAT_UNSUPPORTED, path, offset and a hint', async () => {
    const k = MAX_TABLE_COLUMNS + 1;
    const path = await writeNpy('too-wide.npy', '|u1', [2, k], new Uint8Array(2 * k));
    expect(await openError({ path })).toMatchObject({
      code: 'FORMAT_UNSUPPORTED',
      path,
      offset: 10,
      message: expect.stringContaining(`${k} columns`),
      hint: expect.stringContaining('reshape'),
    });
  });

  it.each([
    ['|u1', [1, 50_000_000], 'SIZE_MISMATCH'],
    ['<f8', [2 ** 27, 2 ** 27], 'FORMAT_INVALID'],
    ['<f4', [4294967296, 4294967296], 'FORMAT_INVALID'],
    ['<i8', [3037000500, 3037000500], 'FORMAT_INVALID'],
    ['<f8', [1, 2 ** 50, 16], 'FORMAT_UNSUPPORTED'],
  ])('%s %j over 64 data bytes is %s, fast', async (descr, shape, code) => {
    const path = await writeNpy(`claims-${shape.join('x')}.npy`, descr, shape, new Uint8Array(64));
    const start = performance.now();
    expect(await openError({ path })).toMatchObject({ code, path });
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('a structured dtype of 50 000 fields (a 1 MB header) opens fast', async () => {
    const n = 50_000;
    const descr = pyList(Array.from({ length: n }, (_, i) => pyTuple(`f${i}`, '|u1')));
    const path = await writeNpy('many-fields.npy', descr, [1], new Uint8Array(n));
    const start = performance.now();
    const source = await openSource('npy', { path });
    expect(source.schema.columns).toHaveLength(n);
    await source.close();
    expect(performance.now() - start).toBeLessThan(5000);
  });
});
