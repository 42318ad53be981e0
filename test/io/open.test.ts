import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArrowFile } from '../../src/formats/arrow/reader.ts';
import { openParquetFile } from '../../src/formats/parquet/reader.ts';
import { SluiceError } from '../../src/core/errors.ts';
import type { IoChoice } from '../../src/io/mapped-file.ts';
import type { MmapAddon, MmapAvailability } from '../../src/io/native.ts';
import { chooseBackend, openMappedFile, openReader } from '../../src/io/open.ts';
import {
  MMAP_AVAILABLE,
  MMAP_SKIP_NOTE,
  makeTempDir,
  readRange,
  removeTempDir,
  writePatternFile,
} from './io-helpers.ts';

let dir: string;
let path: string;
let content: Buffer;

beforeAll(async () => {
  dir = await makeTempDir();
  path = join(dir, 'data.bin');
  content = await writePatternFile(path, 10_000);
});

afterAll(() => removeTempDir(dir));

async function openError(target: string): Promise<SluiceError> {
  const error: unknown = await openMappedFile(target, { io: 'auto' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SluiceError);
  return error as SluiceError;
}

describe('chooseBackend', () => {
  const loaded: MmapAvailability = { available: true, addon: {} as MmapAddon, path: 'addon.node' };
  const missing: MmapAvailability = { available: false, reason: 'not built', path: 'addon.node' };

  it.each<[IoChoice, MmapAvailability, string, string | undefined]>([
    ['auto', loaded, 'read', undefined],
    ['auto', missing, 'read', undefined],
    ['mmap', loaded, 'mmap', undefined],
    ['mmap', missing, 'read', 'not built'],
    ['read', loaded, 'read', undefined],
  ])('io %s, addon %o: %s', (io, mmap, backend, fallback) => {
    expect(chooseBackend(io, mmap)).toEqual(fallback ? { backend, fallback } : { backend });
  });
});

describe('openMappedFile', () => {
  it('opens with the read backend when asked, and for auto', async () => {
    for (const io of ['read', 'auto'] as const) {
      const file = await openMappedFile(path, { io });
      expect(file).toMatchObject({ backend: 'read', path, size: content.length });
      expect(await readRange(file, 9000, 1000)).toEqual(content.subarray(9000));
      await file.close();
    }
  });

  it.skipIf(!MMAP_AVAILABLE)(`uses mmap when asked${MMAP_SKIP_NOTE}`, async () => {
    const file = await openMappedFile(path, { io: 'mmap' });
    expect(file.backend).toBe('mmap');
    expect(await readRange(file, 1, 9999)).toEqual(content.subarray(1));
    await file.close();
  });

  it.skipIf(!MMAP_AVAILABLE)(`maps an empty file and serves its empty range${MMAP_SKIP_NOTE}`, async () => {
    const empty = join(dir, 'empty.bin');
    await writePatternFile(empty, 0);
    const file = await openMappedFile(empty, { io: 'mmap' });
    expect(file).toMatchObject({ backend: 'mmap', size: 0 });
    expect((await file.acquire(0, 0)).bytes.length).toBe(0);
    await expect(file.acquire(0, 1)).rejects.toMatchObject({ code: 'IO_SHORT_READ', offset: 0 });
    await file.close();
  });

  it('reports a missing file as INPUT_MISSING with its path and a hint', async () => {
    const missing = join(dir, 'nope.bin');
    const error = await openError(missing);
    expect(error).toMatchObject({ code: 'INPUT_MISSING', path: missing, exitCode: 2 });
    expect(error.hint).toContain(process.cwd());
  });

  it('reports a missing parent directory as INPUT_MISSING', async () => {
    expect(await openError(join(path, 'child.bin'))).toMatchObject({ code: 'INPUT_MISSING' });
  });

  it('reports a directory as IO_READ', async () => {
    const sub = join(dir, 'a-directory');
    await mkdir(sub);
    const error = await openError(sub);
    expect(error).toMatchObject({
      code: 'IO_READ',
      path: sub,
      message: expect.stringContaining('is a directory'),
    });
  });

  it.skipIf(process.platform === 'win32')('reports a FIFO as IO_READ without blocking on it', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await openError(fifo)).toMatchObject({ code: 'IO_READ', path: fifo });
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable file as IO_READ', async () => {
    const locked = join(dir, 'locked.bin');
    await writePatternFile(locked, 10);
    execFileSync('chmod', ['000', locked]);
    expect(await openError(locked)).toMatchObject({
      code: 'IO_READ',
      path: locked,
      hint: 'Check the file permissions.',
    });
  });
});

describe('openReader (the Arrow and Parquet readers open files through it)', () => {
  it('hands the handle to the reader built on it', async () => {
    const first = await openReader(path, async (handle) => {
      const { buffer } = await handle.read(Buffer.alloc(4), 0, 4, 0);
      await handle.close();
      return [...buffer];
    });
    expect(first).toEqual([...content.subarray(0, 4)]);
  });

  it('closes the handle when building the reader fails', async () => {
    let closed = false;
    const failure = new Error('not this format');
    await expect(
      openReader(path, (handle) => {
        const close = handle.close.bind(handle);
        handle.close = () => {
          closed = true;
          return close();
        };
        return Promise.reject(failure);
      }),
    ).rejects.toBe(failure);
    expect(closed).toBe(true);
  });

  it('a missing Arrow or Parquet file is INPUT_MISSING, as every other input', async () => {
    const missing = join(dir, 'nothing-here');
    await expect(openArrowFile(missing)).rejects.toMatchObject({ code: 'INPUT_MISSING', path: missing });
    await expect(openParquetFile(missing)).rejects.toMatchObject({ code: 'INPUT_MISSING', path: missing });
  });

  it.skipIf(process.platform === 'win32')('a FIFO is IO_READ without blocking on it', async () => {
    const fifo = join(dir, 'reader-fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(openArrowFile(fifo)).rejects.toMatchObject({ code: 'IO_READ', path: fifo });
  });
});
