import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';
import { SluiceError } from '../core/errors.ts';
import { ioReadError } from './file-range.ts';
import type { IoBackend, IoChoice, MappedFile } from './mapped-file.ts';
import { MmapFile } from './mmap-file.ts';
import type { MmapAddon, MmapAvailability } from './native.ts';
import { mmapAvailability } from './native.ts';
import { ReadFile } from './read-file.ts';

export interface OpenMappedFileOptions {
  readonly io: IoChoice;
}

/** The backend `openMappedFile` uses, and why mmap was not, when it was wanted but is missing. */
export interface BackendChoice {
  readonly backend: IoBackend;
  readonly fallback?: string;
}

/**
 * The `auto` policy: positioned reads. `npm run bench` measured both backends on sequential
 * scans of a 1 GiB float32 file (stats, chunkRows 1 Mi, 2 cores): with the page cache warm,
 * read 1.67 GB/s vs mmap 1.35 GB/s; cold, read 1.28 GB/s vs mmap 0.36–0.74 GB/s. Double-
 * buffered reads into reused buffers keep the disk busy while the CPU works, where mapped
 * windows take page faults one page at a time. Every source today scans sequentially; a
 * random-access pattern (hyperslabs, indexes) should measure again before choosing.
 */
export function chooseBackend(io: IoChoice, mmap: MmapAvailability): BackendChoice {
  if (io !== 'mmap') return { backend: 'read' };
  if (!mmap.available) return { backend: 'read', fallback: mmap.reason };
  return { backend: 'mmap' };
}

// Printed once per process, not once per file: a run over 1000 files says it once.
let fallbackLogged = false;

function logFallbackOnce(reason: string, log: ((message: string) => void) | undefined): void {
  if (fallbackLogged || !log) return;
  fallbackLogged = true;
  log(`io: using read instead of mmap: ${reason}`);
}

/**
 * Opens `path` for ranged access with the backend `options.io` asks for (docs/design.md §4).
 * A missing file is INPUT_MISSING; a directory, special or unreadable file is IO_READ.
 */
export async function openMappedFile(
  path: string,
  options: OpenMappedFileOptions,
  log?: (message: string) => void,
): Promise<MappedFile> {
  const mmap = mmapAvailability();
  let { backend, fallback } = chooseBackend(options.io, mmap);
  const handle = await openForReading(path);
  try {
    const { size } = await handle.stat();
    if (backend === 'mmap' && mmap.available) {
      const refusal = probeMapping(mmap.addon, handle, size);
      if (refusal === undefined) return new MmapFile(path, size, handle, mmap.addon);
      backend = 'read';
      fallback = `${path} cannot be mapped (${refusal})`;
    }
    if (fallback !== undefined) logFallbackOnce(fallback, log);
    return new ReadFile(path, size, handle);
  } catch (error) {
    await handle.close();
    throw error instanceof SluiceError ? error : ioReadError(path, undefined, error);
  }
}

/** Stat before open: opening a FIFO would block until a writer appears. */
async function checkRegularFile(path: string): Promise<void> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    throw openError(path, error);
  }
  if (stats.isDirectory()) {
    throw new SluiceError('IO_READ', `${path} is a directory`, {
      path,
      hint: 'Name a data file, not a directory.',
    });
  }
  if (!stats.isFile()) {
    throw new SluiceError('IO_READ', `${path} is not a regular file`, {
      path,
      hint: 'sluice reads regular files (it needs their size and random access); copy the data into a file first.',
    });
  }
}

/**
 * Opens the regular file `path` read-only, for a reader that keeps its own handle: a missing
 * file is INPUT_MISSING; a directory, special or unreadable file is IO_READ.
 */
export async function openForReading(path: string): Promise<FileHandle> {
  await checkRegularFile(path);
  try {
    return await open(path, 'r');
  } catch (error) {
    throw openError(path, error);
  }
}

/**
 * Opens `path` (openForReading) for a reader that keeps the handle: `build` makes the reader
 * from it, and the handle is closed if that fails, since no reader will own it then.
 */
export async function openReader<R>(path: string, build: (handle: FileHandle) => Promise<R>): Promise<R> {
  const handle = await openForReading(path);
  try {
    return await build(handle);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function openError(path: string, error: unknown): SluiceError {
  const code = error instanceof Error ? Reflect.get(error, 'code') : undefined;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new SluiceError('INPUT_MISSING', `input file not found: ${path}`, {
      path,
      cause: error,
      hint: `Check the path; relative paths are resolved from ${process.cwd()}.`,
    });
  }
  const hint = code === 'EACCES' || code === 'EPERM' ? 'Check the file permissions.' : undefined;
  return ioReadError(path, undefined, error, hint);
}

/**
 * Maps the first page once: some file systems (FUSE, procfs) refuse mmap, and finding out
 * here lets the file fall back to reads instead of failing at the first batch. The probe
 * window is left to the GC like any other.
 */
function probeMapping(addon: MmapAddon, handle: FileHandle, size: number): string | undefined {
  if (size === 0) return undefined;
  try {
    addon.map(handle.fd, 0, Math.min(size, addon.pageSize()));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
