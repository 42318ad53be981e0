/**
 * Appends to an AtomicFile without waiting for each write: a writer that produces its bytes on
 * the main thread (the Parquet assembler) goes on while the kernel copies the last piece, up
 * to `maxPendingBytes` behind (measured: more gained no time and cost its size in RSS). Every
 * so many bytes it also starts a datasync, so the pages reach the disk while the run goes on
 * and the fsync of `commit` finds little left: on a 0.9 GB Parquet file that fsync took
 * 0.37 s at the end of the run, and the run took 0.3 s less with the datasyncs.
 *
 * The bytes handed to `write` must stay untouched until `drain` (they are written later).
 * A failed write fails the next `write` or `drain`.
 */
import type { AtomicFile } from './atomic-file.ts';

export interface WriteBehindOptions {
  /** Bytes written but not yet on file before `write` waits. */
  readonly maxPendingBytes?: number;
  /** Bytes between two background datasyncs; 0: none. */
  readonly syncEveryBytes?: number;
}

export class WriteBehind {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: unknown;
  private failed = false;
  private sinceSync = 0;
  private syncing: Promise<void> | undefined;
  private readonly maxPendingBytes: number;
  private readonly syncEveryBytes: number;

  constructor(
    readonly file: AtomicFile,
    options: WriteBehindOptions = {},
  ) {
    this.maxPendingBytes = options.maxPendingBytes ?? 4 << 20;
    this.syncEveryBytes = options.syncEveryBytes ?? 64 << 20;
  }

  get path(): string {
    return this.file.path;
  }

  /** Queues `bytes` after the others; waits only while too much is pending. */
  async write(bytes: Uint8Array): Promise<void> {
    this.throwIfFailed();
    this.pending += bytes.length;
    this.chain = this.chain.then(async () => {
      if (this.failed) return;
      try {
        await this.file.write(bytes);
        this.afterWrite(bytes.length);
      } catch (error) {
        this.failed = true;
        this.failure = error;
      } finally {
        this.pending -= bytes.length;
      }
    });
    if (this.pending > this.maxPendingBytes) await this.chain;
    this.throwIfFailed();
  }

  /** Waits for every queued write and the background sync. */
  async drain(): Promise<void> {
    await this.chain;
    await this.syncing;
    this.throwIfFailed();
  }

  private afterWrite(length: number): void {
    if (this.syncEveryBytes === 0) return;
    this.sinceSync += length;
    if (this.sinceSync < this.syncEveryBytes || this.syncing) return;
    this.sinceSync = 0;
    // Only a head start for commit's fsync, which still runs: a failure here is ignored.
    this.syncing = this.file.handle
      .datasync()
      .catch(() => undefined)
      .finally(() => {
        this.syncing = undefined;
      });
  }

  private throwIfFailed(): void {
    if (this.failed) throw this.failure;
  }
}
