import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MMAP_AVAILABLE,
  MMAP_SKIP_NOTE,
  GiB,
  MiB,
  createSparseFile,
  makeTempDir,
  openBackend,
  removeTempDir,
} from './io-helpers.ts';

/**
 * docs/design.md §4: resident memory stays bounded by the window size, not the file size. The
 * file is sparse (all zeros), so it costs no disk, yet every page touched through a mapping
 * becomes resident until released.
 */

const FILE_SIZE = 6 * GiB;
const WINDOW = 64 * MiB;
const RSS_GROWTH_LIMIT = 250 * 1e6;

let dir: string;
let path: string;

beforeAll(async () => {
  dir = await makeTempDir();
  path = join(dir, 'sparse-6g.bin');
  await createSparseFile(path, FILE_SIZE);
});

afterAll(() => removeTempDir(dir));

/** Sums every element, so every page of the window is read. */
function sumFloat64(bytes: Buffer): number {
  const view = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
  let sum = 0;
  for (let i = 0; i < view.length; i++) sum += view[i];
  return sum;
}

function mappingCount(): number | undefined {
  try {
    return readFileSync('/proc/self/maps', 'utf8').split('\n').length - 1;
  } catch {
    return undefined; // not Linux
  }
}

describe.skipIf(!MMAP_AVAILABLE)(`mmap backend memory${MMAP_SKIP_NOTE}`, () => {
  it('reads 6 GiB in 64 MiB windows with RSS growth under 250 MB, even with every view kept', async () => {
    const file = await openBackend(path, 'mmap');
    // Kept alive so the GC cannot unmap them: only release() (DONTNEED) bounds memory here.
    const kept: Buffer[] = [];
    const before = process.memoryUsage().rss;
    let peak = before;
    let total = 0;
    file.prefetch(0, WINDOW);
    for (let offset = 0; offset < FILE_SIZE; offset += WINDOW) {
      const range = await file.acquire(offset, WINDOW);
      if (offset + WINDOW < FILE_SIZE) file.prefetch(offset + WINDOW, WINDOW);
      total += sumFloat64(range.bytes);
      peak = Math.max(peak, process.memoryUsage().rss);
      range.release();
      kept.push(range.bytes);
    }
    await file.close();
    expect(kept.length).toBe(FILE_SIZE / WINDOW);
    expect(total).toBe(0);
    expect(peak - before).toBeLessThan(RSS_GROWTH_LIMIT);
  });

  it('does not run out of mappings (vm.max_map_count) when windows are dropped', async () => {
    const file = await openBackend(path, 'mmap');
    const windows = 70_000; // more than the default limit of 65530 mappings
    let touched = 0;
    for (let i = 0; i < windows; i++) {
      const range = await file.acquire((i % 1024) * 64 * 1024 + 8, 64 * 1024 - 16);
      touched += range.bytes[0];
      range.release();
    }
    await file.close();
    expect(touched).toBe(0);
    expect(mappingCount() ?? 0).toBeLessThan(65_530);
  });
});
