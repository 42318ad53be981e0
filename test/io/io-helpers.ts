import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IoBackend, MappedFile } from '../../src/io/mapped-file.ts';
import { mmapAvailability } from '../../src/io/native.ts';
import { openMappedFile } from '../../src/io/open.ts';

const mmap = mmapAvailability();
export const MMAP_AVAILABLE = mmap.available;
/** Appended to the names of mmap suites so a skipped run says why. */
export const MMAP_SKIP_NOTE = mmap.available ? '' : ` (SKIPPED: native addon unavailable: ${mmap.reason})`;

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

export function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sluice-io-'));
}

export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** Deterministic bytes that differ at every offset of interest (an LCG, not a repeating ramp). */
export function patternBytes(length: number, seed = 1): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

export async function writePatternFile(path: string, length: number, seed = 1): Promise<Buffer> {
  const bytes = patternBytes(length, seed);
  await writeFile(path, bytes);
  return bytes;
}

/** A file of `size` bytes that takes no disk space: ftruncate leaves a hole. */
export async function createSparseFile(path: string, size: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}

export function openBackend(path: string, backend: IoBackend): Promise<MappedFile> {
  return openMappedFile(path, { io: backend });
}

/** Acquires a range, copies it out and releases it. */
export async function readRange(file: MappedFile, offset: number, length: number): Promise<Buffer> {
  const range = await file.acquire(offset, length);
  try {
    return Buffer.from(range.bytes);
  } finally {
    range.release();
  }
}

export const BACKENDS: readonly { backend: IoBackend; skip: boolean; title: string }[] = [
  { backend: 'read', skip: false, title: 'read backend' },
  { backend: 'mmap', skip: !MMAP_AVAILABLE, title: `mmap backend${MMAP_SKIP_NOTE}` },
];
