import type { FileHandle } from 'node:fs/promises';
import { checkRange, closedError, emptyBytes } from './file-range.ts';
import type { AcquireOptions, FileBytes, MappedFile } from './mapped-file.ts';
import { MAX_READ_BYTES, readFullyAt } from './positioned-read.ts';

/**
 * The `read` backend: positioned reads into buffers we own. The next range is read while the
 * current batch is processed (prefetch), and with `reuse` two or three buffers serve a whole
 * file instead of one allocation per batch.
 */

export { MAX_READ_BYTES } from './positioned-read.ts';

/** Double buffering needs two buffers; one spare covers a consumer holding an extra batch. */
const DEFAULT_POOL_SIZE = 3;

export interface ReadFileOptions {
  /** Bytes per read call; smaller only in tests, to exercise the splitting loop. */
  readonly maxReadBytes?: number;
  /** Released buffers kept for reuse. */
  readonly poolSize?: number;
}

/** One read started into a buffer of ours: `bytes` is `buffer.subarray(0, length)`. */
interface StartedRead {
  readonly offset: number;
  readonly length: number;
  readonly buffer: Buffer;
  readonly bytes: Buffer;
  /** Read for an acquire with `reuse`: the buffer may go back to the pool. */
  readonly reusable: boolean;
  readonly done: Promise<void>;
}

export class ReadFile implements MappedFile {
  readonly backend = 'read' as const;
  private readonly maxReadBytes: number;
  private readonly poolSize: number;
  private readonly pool: Buffer[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private pending: StartedRead | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    readonly size: number,
    private readonly handle: FileHandle,
    options: ReadFileOptions = {},
  ) {
    this.maxReadBytes = options.maxReadBytes ?? MAX_READ_BYTES;
    this.poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
  }

  async acquire(offset: number, length: number, options: AcquireOptions = {}): Promise<FileBytes> {
    if (this.closing) throw closedError(this.path);
    checkRange(this.path, this.size, offset, length);
    if (length === 0) return emptyBytes(true);
    const read = this.takePending(offset, length) ?? this.startRead(offset, length, options.reuse === true);
    await read.done;
    return this.toFileBytes(read, options.reuse === true);
  }

  prefetch(offset: number, length: number, options: AcquireOptions = {}): void {
    if (this.closing || (this.pending?.offset === offset && this.pending.length === length)) return;
    this.discardPending();
    try {
      checkRange(this.path, this.size, offset, length);
    } catch {
      return; // the acquire of this range reports the error
    }
    if (length > 0) this.pending = this.startRead(offset, length, options.reuse === true);
  }

  /** Waits for reads in flight (their buffers are being written), then closes. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.pending = undefined;
    await Promise.all(this.inFlight);
    this.pool.length = 0;
    await this.handle.close();
  }

  /**
   * The prefetched read when it is for exactly this range. Another range leaves it in place:
   * a source acquiring several ranges at once (one per column) may claim it next; the next
   * prefetch or close() discards it.
   */
  private takePending(offset: number, length: number): StartedRead | undefined {
    const pending = this.pending;
    if (pending?.offset !== offset || pending.length !== length) return undefined;
    this.pending = undefined;
    return pending;
  }

  private discardPending(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    // The kernel may still be writing into the buffer: pool it only once the read is over.
    const recycle = (): void => this.returnToPool(pending.buffer);
    if (pending.reusable) void pending.done.then(recycle, recycle);
  }

  private startRead(offset: number, length: number, reuse: boolean): StartedRead {
    const pooled = reuse ? this.takeFromPool(length) : undefined;
    // allocUnsafeSlow: an ArrayBuffer of its own at offset 0, so typed-array views are aligned.
    const buffer = pooled ?? Buffer.allocUnsafeSlow(length);
    const bytes = buffer.subarray(0, length);
    const done = this.readFully(bytes, offset);
    // Tracked so close() can wait; the settled copy also keeps a discarded prefetch's failure
    // from surfacing as an unhandled rejection (the acquire that awaits `done` still sees it).
    const settled = done.then(ignore, ignore);
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return { offset, length, buffer, bytes, reusable: reuse, done };
  }

  /** Fills `target` from `offset`, in calls of at most `maxReadBytes` (positioned-read.ts). */
  private readFully(target: Buffer, offset: number): Promise<void> {
    return readFullyAt(this.handle, target, offset, this.path, this.maxReadBytes);
  }

  private toFileBytes(read: StartedRead, reuse: boolean): FileBytes {
    let released = false;
    return {
      bytes: read.bytes,
      writable: true,
      release: () => {
        if (released) return;
        released = true;
        // Without `reuse` a view of the batch may outlive it: the buffer is left to the GC.
        if (reuse) this.returnToPool(read.buffer);
      },
    };
  }

  /** The smallest pooled buffer that holds `length` bytes. */
  private takeFromPool(length: number): Buffer | undefined {
    let best = -1;
    for (let i = 0; i < this.pool.length; i++) {
      const fits = this.pool[i].length >= length;
      if (fits && (best < 0 || this.pool[i].length < this.pool[best].length)) best = i;
    }
    return best < 0 ? undefined : this.pool.splice(best, 1)[0];
  }

  private returnToPool(buffer: Buffer): void {
    if (this.closing || this.pool.includes(buffer)) return;
    this.pool.push(buffer);
    if (this.pool.length <= this.poolSize) return;
    // Keep the largest buffers: they fit every request the small ones fit.
    let smallest = 0;
    for (let i = 1; i < this.pool.length; i++)
      if (this.pool[i].length < this.pool[smallest].length) smallest = i;
    this.pool.splice(smallest, 1);
  }
}

function ignore(): void {}
