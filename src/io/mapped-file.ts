/**
 * The file-access layer every file source uses (docs/design.md §4): one interface, two backends.
 * `read` does positioned reads into (optionally reused) buffers, the next range read while
 * the current one is processed; `mmap` maps page-aligned windows and drops consumed pages.
 */
export type IoBackend = 'read' | 'mmap';
export type IoChoice = 'auto' | IoBackend;

/** The bytes of one file range, valid until `release()`. */
export interface FileBytes {
  /** Exactly the requested range. */
  readonly bytes: Buffer;
  /**
   * True when `bytes` is private memory the caller may modify in place (read backend). When
   * false, `bytes` is a mapping of the file: do not write to it (a write is copied on write and
   * lost when the pages are dropped).
   */
  readonly writable: boolean;
  /** Done with the range: pooled buffers return to the pool, mapped pages are dropped. Idempotent. */
  release(): void;
}

export interface AcquireOptions {
  /** Return the buffer to the pool on release (the caller guarantees no view outlives it). */
  readonly reuse?: boolean;
}

export interface MappedFile {
  readonly path: string;
  /** File size in bytes (may exceed 4 GiB). */
  readonly size: number;
  readonly backend: IoBackend;
  /** The bytes of [offset, offset + length); a range past the end is a SluiceError IO_SHORT_READ. */
  acquire(offset: number, length: number, options?: AcquireOptions): Promise<FileBytes>;
  /** [offset, offset + length) is wanted next: start reading (read) or advise WILLNEED (mmap). */
  prefetch(offset: number, length: number, options?: AcquireOptions): void;
  close(): Promise<void>;
}
