import { openSync, closeSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MmapAddon } from '../../src/io/native.ts';
import { ADDON_PATH, loadAddon, loadMmapAddon } from '../../src/io/native.ts';
import {
  MMAP_AVAILABLE,
  MMAP_SKIP_NOTE,
  makeTempDir,
  removeTempDir,
  writePatternFile,
} from './io-helpers.ts';

let dir: string;
let path: string;
let content: Buffer;
let fd: number;

beforeAll(async () => {
  dir = await makeTempDir();
  path = join(dir, 'pattern.bin');
  content = await writePatternFile(path, 5 * 4096 + 17);
  fd = openSync(path, 'r');
});

afterAll(async () => {
  closeSync(fd);
  await removeTempDir(dir);
});

describe('loadAddon', () => {
  it('points at build/Release of the repository', () => {
    expect(ADDON_PATH).toMatch(/build[/\\]Release[/\\]sluice_mmap\.node$/);
  });

  it('explains a missing addon instead of throwing', () => {
    const status = loadAddon(join(dir, 'absent.node'));
    expect(status).toMatchObject({ available: false, reason: expect.stringContaining('was not built') });
  });

  it('explains an addon that fails to load', async () => {
    const bogus = join(dir, 'bogus.node');
    await writeFile(bogus, 'not a shared object');
    const status = loadAddon(bogus);
    expect(status).toMatchObject({ available: false, reason: expect.stringContaining('failed to load') });
  });
});

describe.skipIf(!MMAP_AVAILABLE)(`sluice_mmap addon${MMAP_SKIP_NOTE}`, () => {
  let addon: MmapAddon;
  beforeAll(() => {
    addon = loadMmapAddon() as MmapAddon;
  });

  it('reports a power-of-two page size', () => {
    const page = addon.pageSize();
    expect(page).toBeGreaterThanOrEqual(4096);
    expect(page & (page - 1)).toBe(0);
  });

  it('maps exactly the requested bytes, page aligned at offset 0 of its own ArrayBuffer', () => {
    const page = addon.pageSize();
    const window = addon.map(fd, page, 2 * page + 17);
    expect(window.length).toBe(2 * page + 17);
    expect(window.byteOffset).toBe(0);
    expect(window.equals(content.subarray(page, 3 * page + 17))).toBe(true);
  });

  it('accepts every advice over any subrange', () => {
    const window = addon.map(fd, 0, content.length);
    for (const advice of ['sequential', 'willneed', 'dontneed', 'normal'] as const) {
      addon.advise(window, advice);
      addon.advise(window, advice, 4097, 10);
      addon.advise(window, advice, content.length - 1);
      addon.advise(window, advice, 100, 10 ** 9); // clamped to the buffer
    }
    // DONTNEED only drops pages: the bytes are read again from the file.
    expect(window.equals(content)).toBe(true);
  });

  it.each([
    ['an unaligned offset', () => addon.map(fd, 100, 10), /map: offset must be a multiple of the page size/],
    ['a zero length', () => addon.map(fd, 0, 0), /map: length must be positive/],
    ['a negative length', () => addon.map(fd, 0, -1), /map: length must be a non-negative integer/],
    [
      'an offset beyond 2^53',
      () => addon.map(fd, 2 ** 60, 4096),
      /map: offset must be a non-negative integer/,
    ],
    ['a bad fd', () => addon.map(1_000_000, 0, 10), /^map: Bad file descriptor$/],
    [
      'an unknown advice',
      () => addon.advise(addon.map(fd, 0, 10), 'random' as 'normal'),
      /advise: advice must/,
    ],
    [
      'a buffer not from map',
      () => addon.advise(Buffer.alloc(10), 'normal'),
      /advise: buffer is not page aligned/,
    ],
    [
      'an offset past the buffer',
      () => addon.advise(addon.map(fd, 0, 10), 'normal', 11),
      /advise: offset past/,
    ],
  ])('throws on %s', (_name, call, message) => {
    expect(call).toThrow(message);
  });

  it('names the failed system call and its errno', () => {
    const error = (() => {
      try {
        addon.map(1_000_000, 0, 10);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ syscall: 'map', errno: 9 });
  });

  it('maps at 64-bit offsets (past 4 GiB) of a sparse file', async () => {
    const sparse = join(dir, 'sparse.bin');
    const handle = await open(sparse, 'w+');
    const offset = 2 ** 32 + 3 * 4096;
    await handle.write(Buffer.from([1, 2, 3, 4]), 0, 4, offset + 5);
    const window = addon.map(handle.fd, offset, 4096);
    expect([...window.subarray(4, 10)]).toEqual([0, 1, 2, 3, 4, 0]);
    await handle.close();
  });
});
