import { copyFile, open, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.ts';
import type { MappedFile } from '../../src/io/mapped-file.ts';
import { MmapFile } from '../../src/io/mmap-file.ts';
import type { MmapAddon } from '../../src/io/native.ts';
import { loadMmapAddon } from '../../src/io/native.ts';
import { ReadFile } from '../../src/io/read-file.ts';
import {
  BACKENDS,
  MMAP_AVAILABLE,
  MMAP_SKIP_NOTE,
  makeTempDir,
  openBackend,
  readRange,
  removeTempDir,
  writePatternFile,
} from './io-helpers.ts';

const PAGE = 4096;
const SIZE = 3 * PAGE + 123;

let dir: string;
let path: string;
let content: Buffer;

beforeAll(async () => {
  dir = await makeTempDir();
  path = join(dir, 'pattern.bin');
  content = await writePatternFile(path, SIZE);
});

afterAll(() => removeTempDir(dir));

/** [offset, length] pairs: unaligned, page straddling, whole file, empty. */
const RANGES: [number, number][] = [
  [0, 1],
  [1, 10],
  [PAGE - 1, 2],
  [PAGE, PAGE],
  [PAGE + 1, 2 * PAGE - 1],
  [SIZE - 1, 1],
  [0, SIZE],
  [7, SIZE - 7],
  [0, 0],
  [1000, 0],
  [SIZE, 0],
];

async function expectShortRead(promise: Promise<unknown>, offset: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SluiceError);
  expect(error).toMatchObject({ code: 'IO_SHORT_READ', path, offset });
  expect((error as SluiceError).hint).toBeTruthy();
}

describe.each(BACKENDS)('$title', ({ backend, skip }) => {
  let file: MappedFile;

  beforeAll(async () => {
    if (!skip) file = await openBackend(path, backend);
  });
  afterAll(() => file?.close());

  it.skipIf(skip)('reports path, size and backend', () => {
    expect(file).toMatchObject({ path, size: SIZE, backend });
  });

  it.skipIf(skip).each(RANGES)(
    'returns exactly the bytes at offset %i, length %i',
    async (offset, length) => {
      const range = await file.acquire(offset, length);
      expect(range.bytes.length).toBe(length);
      expect(range.bytes.equals(content.subarray(offset, offset + length))).toBe(true);
      expect(range.writable).toBe(backend === 'read');
      range.release();
      range.release(); // idempotent
    },
  );

  it.skipIf(skip)('returns a prefetched range on the next acquire', async () => {
    file.prefetch(PAGE + 5, 2 * PAGE);
    expect(await readRange(file, PAGE + 5, 2 * PAGE)).toEqual(content.subarray(PAGE + 5, 3 * PAGE + 5));
  });

  it.skipIf(skip)('serves ranges other than the prefetched one, and the prefetched one after', async () => {
    file.prefetch(0, PAGE);
    expect(await readRange(file, 100, 50)).toEqual(content.subarray(100, 150));
    expect(await readRange(file, PAGE * 2, 50)).toEqual(content.subarray(PAGE * 2, PAGE * 2 + 50));
    expect(await readRange(file, 0, PAGE)).toEqual(content.subarray(0, PAGE));
  });

  it.skipIf(skip)('discards a prefetch replaced by another', async () => {
    file.prefetch(0, PAGE);
    file.prefetch(PAGE + 3, PAGE);
    expect(await readRange(file, 0, PAGE)).toEqual(content.subarray(0, PAGE));
    expect(await readRange(file, PAGE + 3, PAGE)).toEqual(content.subarray(PAGE + 3, 2 * PAGE + 3));
  });

  it.skipIf(skip)('accepts a bad prefetch silently and reports it on acquire', async () => {
    file.prefetch(SIZE - 1, 2);
    await expectShortRead(file.acquire(SIZE - 1, 2), SIZE);
  });

  it.skipIf(skip)('rejects a range past the end with IO_SHORT_READ at the end of file', async () => {
    await expectShortRead(file.acquire(SIZE - 10, 11), SIZE);
    await expectShortRead(file.acquire(SIZE + 1, 0), SIZE);
  });

  it.skipIf(skip)('rejects negative and fractional ranges with RANGE_INVALID', async () => {
    await expect(file.acquire(-1, 1)).rejects.toMatchObject({ code: 'RANGE_INVALID' });
    await expect(file.acquire(0.5, 1)).rejects.toMatchObject({ code: 'RANGE_INVALID' });
  });

  it.skipIf(skip)('reports a file truncated after open as IO_SHORT_READ where it now ends', async () => {
    const copy = join(dir, `truncated-${backend}.bin`);
    await copyFile(path, copy);
    const truncated = await openBackend(copy, backend);
    await truncate(copy, PAGE + 10);
    const error = await truncated.acquire(PAGE, 2 * PAGE).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'IO_SHORT_READ', path: copy, offset: PAGE + 10 });
    await truncated.close();
  });

  it.skipIf(skip)('closes idempotently and refuses acquires afterwards, keeping acquired bytes', async () => {
    const other = await openBackend(path, backend);
    const kept = await other.acquire(10, 100);
    other.prefetch(PAGE, PAGE);
    await Promise.all([other.close(), other.close()]);
    await other.close();
    await expect(other.acquire(0, 1)).rejects.toMatchObject({ code: 'IO_READ', path });
    other.prefetch(0, 1); // ignored after close
    expect(kept.bytes.equals(content.subarray(10, 110))).toBe(true);
    kept.release();
  });
});

describe('read backend buffers', () => {
  let handle: Awaited<ReturnType<typeof open>>;
  let file: ReadFile;

  beforeAll(async () => {
    handle = await open(path, 'r');
    file = new ReadFile(path, SIZE, handle);
  });
  afterAll(() => file.close());

  /** A ReadFile whose handle counts read calls (a stand-in with just the calls it makes). */
  function countingFile(): { file: ReadFile; reads: () => number } {
    let reads = 0;
    const counting = {
      read: (...args: Parameters<typeof handle.read>) => {
        reads++;
        return handle.read(...args);
      },
      close: async () => {},
    };
    return { file: new ReadFile(path, SIZE, counting as unknown as typeof handle), reads: () => reads };
  }

  it('reads a prefetched range once', async () => {
    const { file: counted, reads } = countingFile();
    counted.prefetch(PAGE, 100);
    expect(await readRange(counted, PAGE, 100)).toEqual(content.subarray(PAGE, PAGE + 100));
    expect(reads()).toBe(1);
    await counted.close();
  });

  it('keeps a prefetch through an acquire of another range (concurrent columns)', async () => {
    const { file: counted, reads } = countingFile();
    counted.prefetch(0, 100);
    const [other, prefetched] = await Promise.all([readRange(counted, 500, 10), readRange(counted, 0, 100)]);
    expect(other).toEqual(content.subarray(500, 510));
    expect(prefetched).toEqual(content.subarray(0, 100));
    expect(reads()).toBe(2);
    await counted.close();
  });

  it('replaces a prefetch by the next one', async () => {
    const { file: counted, reads } = countingFile();
    counted.prefetch(0, 100);
    counted.prefetch(200, 100);
    counted.prefetch(200, 100); // the same range again: no new read
    expect(await readRange(counted, 0, 100)).toEqual(content.subarray(0, 100));
    expect(await readRange(counted, 200, 100)).toEqual(content.subarray(200, 300));
    expect(reads()).toBe(3);
    await counted.close();
  });

  it('hands out buffers of their own at offset 0, so typed-array views are aligned', async () => {
    const range = await file.acquire(3, 16);
    expect(range.bytes.byteOffset).toBe(0);
    expect(range.bytes.buffer.byteLength).toBe(16);
    range.release();
  });

  it('reuses a released buffer for a range it fits, when asked to', async () => {
    const first = await file.acquire(0, 1000, { reuse: true });
    const firstBuffer = first.bytes.buffer;
    first.release();
    const second = await file.acquire(2000, 500, { reuse: true });
    expect(second.bytes.buffer).toBe(firstBuffer);
    expect(second.bytes.byteOffset).toBe(0);
    expect(second.bytes.equals(content.subarray(2000, 2500))).toBe(true);
    const third = await file.acquire(0, 2000, { reuse: true });
    expect(third.bytes.buffer).not.toBe(firstBuffer);
    second.release();
    third.release();
  });

  it('never reuses a buffer released without `reuse`', async () => {
    const first = await file.acquire(0, 1000);
    const view = first.bytes;
    first.release();
    const second = await file.acquire(1000, 1000, { reuse: true });
    expect(second.bytes.buffer).not.toBe(view.buffer);
    expect(view.equals(content.subarray(0, 1000))).toBe(true);
    second.release();
  });

  it('double-buffers with two pooled buffers, each range intact', async () => {
    const chunk = 1000;
    const seen = new Set<ArrayBufferLike>();
    file.prefetch(0, chunk, { reuse: true });
    for (let offset = 0; offset < SIZE; offset += chunk) {
      const length = Math.min(chunk, SIZE - offset);
      const range = await file.acquire(offset, length, { reuse: true });
      const next = offset + chunk;
      if (next < SIZE) file.prefetch(next, Math.min(chunk, SIZE - next), { reuse: true });
      expect(range.bytes.equals(content.subarray(offset, offset + length))).toBe(true);
      seen.add(range.bytes.buffer);
      range.release();
    }
    expect(seen.size).toBeLessThanOrEqual(3);
  });

  it('recycles a discarded prefetch buffer only after its read is over', async () => {
    file.prefetch(0, 3000, { reuse: true });
    file.prefetch(5000, 3000, { reuse: true }); // discards the first while it is being read
    const other = await file.acquire(5000, 3000, { reuse: true });
    expect(other.bytes.equals(content.subarray(5000, 8000))).toBe(true);
    other.release();
    for (let i = 0; i < 4; i++) {
      const offset = 1 + i * 1000;
      const range = await file.acquire(offset, 3000, { reuse: true });
      expect(range.bytes.equals(content.subarray(offset, offset + 3000))).toBe(true);
      range.release();
    }
  });

  it('splits reads larger than one call and loops over partial reads', async () => {
    const small = new ReadFile(path, SIZE, await open(path, 'r'), { maxReadBytes: 7 });
    expect(await readRange(small, 3, SIZE - 3)).toEqual(content.subarray(3));
    await small.close();
  });

  it('waits for a read in flight before closing', async () => {
    const other = new ReadFile(path, SIZE, await open(path, 'r'));
    other.prefetch(0, SIZE);
    const pending = other.acquire(0, SIZE);
    await other.close();
    expect((await pending).bytes.equals(content)).toBe(true);
  });
});

describe.skipIf(!MMAP_AVAILABLE)(`mmap backend windows${MMAP_SKIP_NOTE}`, () => {
  /** An MmapFile whose addon records every call (the real addon does the work). */
  async function recordingFile(): Promise<{ file: MmapFile; calls: string[] }> {
    const addon = loadMmapAddon() as MmapAddon;
    const calls: string[] = [];
    const recording: MmapAddon = {
      map: (fd, offset, length) => (calls.push(`map ${offset} ${length}`), addon.map(fd, offset, length)),
      advise: (buffer, advice, offset, length) => (
        calls.push(advice),
        addon.advise(buffer, advice, offset, length)
      ),
      pageSize: () => addon.pageSize(),
    };
    return { file: new MmapFile(path, SIZE, await open(path, 'r'), recording), calls };
  }

  it('maps a page-aligned window per acquire, advises sequential, then dontneed on release', async () => {
    const { file, calls } = await recordingFile();
    const range = await file.acquire(PAGE + 10, PAGE);
    expect(range.bytes.equals(content.subarray(PAGE + 10, 2 * PAGE + 10))).toBe(true);
    range.release();
    range.release();
    expect(calls).toEqual([`map ${PAGE} ${PAGE + 10}`, 'sequential', 'dontneed']);
    await file.close();
  });

  it('asks the kernel to read a prefetched window ahead and serves acquires inside it', async () => {
    const { file, calls } = await recordingFile();
    file.prefetch(0, 2 * PAGE);
    const [other, inside] = await Promise.all([file.acquire(3 * PAGE, 5), file.acquire(10, PAGE)]);
    expect(other.bytes.equals(content.subarray(3 * PAGE, 3 * PAGE + 5))).toBe(true);
    expect(inside.bytes.equals(content.subarray(10, PAGE + 10))).toBe(true);
    expect(calls.filter((c) => c.startsWith('map'))).toEqual([`map 0 ${2 * PAGE}`, `map ${3 * PAGE} 5`]);
    expect(calls.slice(0, 2)).toEqual([`map 0 ${2 * PAGE}`, 'willneed']);
    await file.close();
  });
});
