import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openMappedFile } from '../../src/io/open.ts';
import { makeTempDir, readRange, removeTempDir, writePatternFile } from './io-helpers.ts';

// This file runs as if the addon had not been built (each test file has its own process).
vi.mock('../../src/io/native.ts', () => ({
  mmapAvailability: () => ({
    available: false,
    reason: 'sluice_mmap.node was not built',
    path: 'sluice_mmap.node',
  }),
}));

let dir: string;
let path: string;
let content: Buffer;

beforeAll(async () => {
  dir = await makeTempDir();
  path = join(dir, 'data.bin');
  content = await writePatternFile(path, 5000);
});

afterAll(() => removeTempDir(dir));

describe('without the native addon', () => {
  it('falls back to read for mmap and auto, saying why once per process', async () => {
    const messages: string[] = [];
    const log = (message: string): void => void messages.push(message);
    for (const io of ['mmap', 'auto', 'mmap'] as const) {
      const file = await openMappedFile(path, { io }, log);
      expect(file.backend).toBe('read');
      expect(await readRange(file, 100, 200)).toEqual(content.subarray(100, 300));
      await file.close();
    }
    expect(messages).toEqual(['io: using read instead of mmap: sluice_mmap.node was not built']);
  });
});
