import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRange } from '../../src/io/copy-range.ts';
import { openMappedFile } from '../../src/io/open.ts';

describe('copyRange', () => {
  let dir: string;
  let path: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-copy-range-'));
    path = join(dir, 'bytes.bin');
    await writeFile(
      path,
      Uint8Array.from({ length: 32 }, (_, i) => i),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(['read', 'mmap'] as const)('copies the range (%s), which outlives its release', async (io) => {
    const file = await openMappedFile(path, { io });
    try {
      const bytes = await copyRange(file, 5, 4);
      expect([...bytes]).toEqual([5, 6, 7, 8]);
      bytes[0] = 99;
      expect([...(await copyRange(file, 5, 1))]).toEqual([5]);
      expect((await copyRange(file, 32, 0)).length).toBe(0);
    } finally {
      await file.close();
    }
  });

  it('refuses a range past the end', async () => {
    const file = await openMappedFile(path, { io: 'read' });
    try {
      await expect(copyRange(file, 30, 4)).rejects.toMatchObject({ code: 'IO_SHORT_READ' });
    } finally {
      await file.close();
    }
  });
});
