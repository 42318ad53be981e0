/**
 * Appends bytes to fixed regions of a file (one per contiguous HDF5 dataset, each starting on
 * a 4 KiB boundary), behind the caller: `append` copies into the region's staging buffer (a
 * batch's arrays are reused once the runner pulls the next batch) and a full stage is written
 * while the caller computes the next batch, on libuv's thread pool.
 *
 * Full stages go through a second descriptor opened with O_DIRECT when the native addon can
 * give page-aligned buffers: straight to the device, not through the page cache. Measured on
 * the CI machine for 1.86 GB: 0.75–1.1 s direct against 3.3–5 s buffered (allocating page
 * cache is what costs there), and an output larger than RAM does not evict the user's cached
 * files. Each region's last partial stage, and everything when O_DIRECT is unavailable
 * (tmpfs, no addon, a filesystem that refuses it), is written through the ordinary descriptor.
 */
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { SluiceError } from '../core/errors.ts';
import { loadMmapAddon } from './native.ts';

/** A multiple of every device's logical block size, so direct writes stay aligned. */
const STAGE_BYTES = 1 << 19;
/** Stages written at once; with the stages being filled, bounds the memory to ~8 MiB + 512 KiB per region. */
const MAX_IN_FLIGHT = 16;

interface Stage {
  readonly buffer: Uint8Array;
  filled: number;
}

export class RegionWriter {
  private readonly filling: (Stage | undefined)[];
  /** Bytes of each region handed to a write so far. */
  private readonly written: number[];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly spare: Uint8Array[] = [];
  private failure: SluiceError | undefined;
  /** Cleared when the filesystem refuses a direct write; the descriptor stays open until the end. */
  private useDirect: boolean;

  private constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
    private readonly offsets: readonly number[],
    private readonly direct: { handle: FileHandle; alloc: (length: number) => Uint8Array } | undefined,
  ) {
    this.useDirect = direct !== undefined;
    this.filling = offsets.map(() => undefined);
    this.written = offsets.map(() => 0);
  }

  /**
   * `handle` is open on `filePath`; `path` names the output in errors. Direct writes need every
   * offset to be a multiple of 4096.
   */
  static async open(
    handle: FileHandle,
    filePath: string,
    offsets: readonly number[],
    path = filePath,
  ): Promise<RegionWriter> {
    return new RegionWriter(handle, path, offsets, await openDirect(filePath, offsets));
  }

  /** Whether full stages bypass the page cache. */
  get isDirect(): boolean {
    return this.useDirect;
  }

  /** Appends a copy of `data` to region `region`. */
  async append(region: number, data: Uint8Array): Promise<void> {
    this.throwIfFailed();
    for (let from = 0; from < data.length;) {
      const stage = (this.filling[region] ??= { buffer: this.take(), filled: 0 });
      const n = Math.min(STAGE_BYTES - stage.filled, data.length - from);
      stage.buffer.set(data.subarray(from, from + n), stage.filled);
      stage.filled += n;
      from += n;
      if (stage.filled === STAGE_BYTES) await this.flush(region);
    }
  }

  /** Writes every partial stage and waits for all writes; throws the first failure. */
  async finish(): Promise<void> {
    for (let region = 0; region < this.offsets.length; region++) await this.flush(region);
    await this.settle();
    await this.direct?.handle.close();
    this.throwIfFailed();
  }

  /** Waits for the writes under way and closes the direct descriptor; never throws. */
  async abort(): Promise<void> {
    await this.settle();
    await this.direct?.handle.close().catch(() => undefined);
  }

  private async flush(region: number): Promise<void> {
    const stage = this.filling[region];
    if (!stage || stage.filled === 0) return;
    this.filling[region] = undefined;
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    const position = this.offsets[region] + this.written[region];
    this.written[region] += stage.filled;
    const done: Promise<void> = this.write(stage, position).then(
      () => this.release(done, stage),
      (error: unknown) => {
        this.failure ??= writeError(this.path, position, error);
        this.release(done, stage);
      },
    );
    this.inFlight.add(done);
  }

  private async write({ buffer, filled }: Stage, position: number): Promise<void> {
    const direct = filled === STAGE_BYTES && this.useDirect ? this.direct : undefined;
    if (direct) {
      try {
        await writeAll(direct.handle, buffer, filled, position);
        return;
      } catch (error) {
        // Some filesystems accept O_DIRECT at open and refuse the writes: go on buffered.
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
        this.useDirect = false;
      }
    }
    await writeAll(this.handle, buffer, filled, position);
  }

  private release(done: Promise<void>, stage: Stage): void {
    this.inFlight.delete(done);
    this.spare.push(stage.buffer);
  }

  private take(): Uint8Array {
    return this.spare.pop() ?? this.direct?.alloc(STAGE_BYTES) ?? new Uint8Array(STAGE_BYTES);
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

/** An O_DIRECT descriptor and aligned buffers, or undefined where either is unavailable. */
async function openDirect(
  path: string,
  offsets: readonly number[],
): Promise<{ handle: FileHandle; alloc: (length: number) => Uint8Array } | undefined> {
  const addon = loadMmapAddon();
  const alignedBuffer = addon?.alignedBuffer;
  const O_DIRECT = (constants as Record<string, number | undefined>).O_DIRECT;
  if (!alignedBuffer || O_DIRECT === undefined || offsets.some((o) => o % 4096 !== 0)) return undefined;
  try {
    const handle = await open(path, constants.O_WRONLY | O_DIRECT);
    return { handle, alloc: (length) => alignedBuffer.call(addon, length) };
  } catch {
    return undefined; // tmpfs and some network filesystems refuse O_DIRECT: buffered it is
  }
}

async function writeAll(
  handle: FileHandle,
  buffer: Uint8Array,
  length: number,
  position: number,
): Promise<void> {
  for (let done = 0; done < length;) {
    const { bytesWritten } = await handle.write(buffer, done, length - done, position + done);
    if (bytesWritten <= 0) throw new Error('the write made no progress');
    done += bytesWritten;
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
