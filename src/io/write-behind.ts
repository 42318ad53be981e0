/**
 * Positioned writes that run behind the caller: `write` copies the bytes (a batch's buffers
 * are reused once the runner pulls the next batch) and returns while the write proceeds on
 * libuv's thread pool, so the kernel's copy into the page cache overlaps the next batch's
 * compute. At most `maxBytes` are in flight; past that, `write` waits for the oldest.
 */
import type { FileHandle } from 'node:fs/promises';
import { SluiceError } from '../core/errors.ts';

const DEFAULT_MAX_BYTES = 8 << 20;

export class WriteBehind {
  private readonly inFlight: Promise<void>[] = [];
  private inFlightBytes = 0;
  /** Copies whose write has completed, reused for the next copies. */
  private readonly spare: Uint8Array[] = [];
  private failure: unknown;

  constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
    private readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {}

  /** Queues a copy of `data` to be written at `position`. */
  async write(data: Uint8Array, position: number): Promise<void> {
    this.throwIfFailed();
    while (this.inFlightBytes > 0 && this.inFlightBytes + data.length > this.maxBytes) {
      await this.inFlight[0];
      this.throwIfFailed();
    }
    const copy = this.take(data.length);
    copy.set(data);
    this.inFlightBytes += data.length;
    const done: Promise<void> = this.writeAll(copy, data.length, position).then(
      () => this.release(done, copy, data.length),
      (error: unknown) => {
        this.failure ??= writeError(this.path, position, error);
        this.release(done, copy, data.length);
      },
    );
    this.inFlight.push(done);
  }

  /** Waits for every queued write; throws the first failure. */
  async flush(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight[0];
    this.throwIfFailed();
  }

  private async writeAll(copy: Uint8Array, length: number, position: number): Promise<void> {
    for (let done = 0; done < length;) {
      const { bytesWritten } = await this.handle.write(copy, done, length - done, position + done);
      if (bytesWritten <= 0) throw new Error('the write made no progress');
      done += bytesWritten;
    }
  }

  private release(done: Promise<void>, copy: Uint8Array, length: number): void {
    this.inFlight.splice(this.inFlight.indexOf(done), 1);
    this.inFlightBytes -= length;
    this.spare.push(copy);
  }

  /** A spare copy buffer of at least `length` bytes, else a new one (sizes vary little). */
  private take(length: number): Uint8Array {
    const i = this.spare.findIndex((b) => b.length >= length);
    if (i >= 0) return this.spare.splice(i, 1)[0];
    return new Uint8Array(length);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

function writeError(path: string, offset: number, cause: unknown): SluiceError {
  return new SluiceError('IO_WRITE', `${path}: write failed at byte ${offset}`, {
    path,
    offset,
    cause,
    hint: 'check free disk space and permissions',
  });
}
