import type { FileHandle } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { SluiceError } from '../core/errors.ts';
import {
  MAX_ACQUIRE_BYTES,
  checkRange,
  closedError,
  emptyBytes,
  ioReadError,
  shortReadError,
} from './file-range.ts';
import type { FileBytes, MappedFile } from './mapped-file.ts';
import type { MmapAddon, MmapAdvice } from './native.ts';

/**
 * The `mmap` backend: each acquire maps one page-aligned window over its range and returns a
 * view of it (no copy; never written). Released windows are advised DONTNEED, so resident memory
 * stays bounded by the window size however large the file; the mapping itself is unmapped by
 * the addon when V8 collects the last view of it.
 */

/** A mapping of file bytes [start, start + buffer.length); `start` is page aligned. */
interface Window {
  readonly start: number;
  readonly buffer: Buffer;
}

/**
 * Retries of a map that failed with ENOMEM. Dropped windows are unmapped by finalizers that
 * Node runs from the event loop (setImmediate) after a GC; a consumer whose loop never yields
 * to the event loop can exhaust vm.max_map_count before they run.
 */
const MAP_RETRIES = 3;

export class MmapFile implements MappedFile {
  readonly backend = 'mmap' as const;
  private readonly pageSize: number;
  private prefetched: Window | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    readonly size: number,
    private readonly handle: FileHandle,
    private readonly addon: MmapAddon,
  ) {
    this.pageSize = addon.pageSize();
  }

  async acquire(offset: number, length: number): Promise<FileBytes> {
    if (this.closing) throw closedError(this.path);
    checkRange(this.path, this.size, offset, length);
    if (length === 0) return emptyBytes(false);
    // Claimed before any await, so concurrent acquires get it in call order.
    const prefetched = this.takePrefetched(offset, length);
    // Touching a mapped page past the end of the file is SIGBUS, which kills the process:
    // make sure the file has not shrunk since it was opened.
    await this.checkStillCovers(offset + length);
    const window = prefetched ?? (await this.mapWindow(offset, length));
    this.advise(window, 'sequential');
    return this.toFileBytes(window, offset, length);
  }

  prefetch(offset: number, length: number): void {
    if (this.closing || length === 0 || this.covers(this.prefetched, offset, length)) return;
    this.prefetched = undefined;
    try {
      checkRange(this.path, this.size, offset, length);
      this.prefetched = this.mapNow(offset, length);
      // The kernel starts reading the window in while the current batch is processed.
      this.advise(this.prefetched, 'willneed');
    } catch {
      // Only a hint: the acquire of this range maps again and reports any error.
    }
  }

  /** Existing windows stay valid (a mapping holds its own reference to the file). Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.prefetched = undefined;
    await this.handle.close();
  }

  private async checkStillCovers(end: number): Promise<void> {
    let size: number;
    try {
      ({ size } = await this.handle.stat());
    } catch (error) {
      throw ioReadError(this.path, undefined, error);
    }
    if (size < end) throw shortReadError(this.path, size, end);
  }

  private covers(window: Window | undefined, offset: number, length: number): window is Window {
    return (
      window !== undefined && window.start <= offset && offset + length <= window.start + window.buffer.length
    );
  }

  /**
   * The prefetched window when it covers the range. Otherwise it stays for a concurrent
   * acquire of another column to claim; the next prefetch or close() drops it.
   */
  private takePrefetched(offset: number, length: number): Window | undefined {
    const window = this.prefetched;
    if (!this.covers(window, offset, length)) return undefined;
    this.prefetched = undefined;
    return window;
  }

  private async mapWindow(offset: number, length: number): Promise<Window> {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.mapNow(offset, length);
      } catch (error) {
        if (errnoOf(error) !== osConstants.errno.ENOMEM || attempt >= MAP_RETRIES) throw error;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  /** Maps the page-aligned window around [offset, offset + length). */
  private mapNow(offset: number, length: number): Window {
    // Checked after every await: once closed, the fd number may already name another file.
    if (this.closing) throw closedError(this.path);
    const start = offset - (offset % this.pageSize);
    const windowLength = offset + length - start;
    if (windowLength > MAX_ACQUIRE_BYTES) {
      throw new SluiceError('RANGE_INVALID', `a window of ${windowLength} bytes exceeds the Buffer limit`, {
        path: this.path,
        offset,
        hint: 'Use a smaller chunk size.',
      });
    }
    try {
      return { start, buffer: this.addon.map(this.handle.fd, start, windowLength) };
    } catch (error) {
      throw ioReadError(this.path, start, error, mapHint(error));
    }
  }

  private toFileBytes(window: Window, offset: number, length: number): FileBytes {
    let released = false;
    const from = offset - window.start;
    return {
      bytes: window.buffer.subarray(from, from + length),
      writable: false,
      release: () => {
        if (released) return;
        released = true;
        // Safe even while views remain: a page touched again is re-read from the file.
        this.advise(window, 'dontneed');
      },
    };
  }

  /** Advice is a hint: failing to give it never changes the bytes, so errors are ignored. */
  private advise(window: Window, advice: MmapAdvice): void {
    try {
      this.addon.advise(window.buffer, advice);
    } catch {
      // nothing to do: the mapping is still valid
    }
  }
}

function errnoOf(error: unknown): number | undefined {
  const cause = error instanceof SluiceError ? error.cause : error;
  if (typeof cause !== 'object' || cause === null) return undefined;
  const errno: unknown = Reflect.get(cause, 'errno');
  return typeof errno === 'number' ? errno : undefined;
}

function mapHint(error: unknown): string {
  if (errnoOf(error) === osConstants.errno.ENOMEM) {
    return 'Too many mapped windows are still referenced (vm.max_map_count); use a larger chunk size or --io read.';
  }
  return 'This file system may not support mmap; run with --io read.';
}
