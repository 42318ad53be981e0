/**
 * Output files that appear complete or not at all (docs/design.md §6). A writer writes to a
 * temporary name in the destination's directory (same filesystem, so the final rename is
 * atomic), fsyncs, and renames on commit; abort, or a failed commit, removes the temporary
 * file. A run killed outright leaves at most a `.<name>.sluice-tmp-<pid>-<random>` file,
 * which no reader mistakes for the output, and which the next run writing that output
 * removes (`removeStaleTemporaries`) once no process has that pid.
 */
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SluiceError } from '../core/errors.ts';

export interface AtomicFileOptions {
  /** Replace an existing file at the final name instead of refusing it. */
  readonly overwrite?: boolean;
}

/** A file being written under a temporary name; it gets its final name on `commit()`. */
export interface AtomicFile {
  /** The final name. */
  readonly path: string;
  /** Where the bytes go until commit: same directory, hidden name. */
  readonly tempPath: string;
  /** The open temporary file, for writers that need positioned writes. Closed by commit/abort. */
  readonly handle: FileHandle;
  /** Appends all of `data` at the file's current position (as `handle.write(data)` does). */
  write(data: Uint8Array | string): Promise<void>;
  /** fsync, close, rename to the final name. Idempotent; concurrent calls share one commit. */
  commit(): Promise<void>;
  /** Closes and removes the temporary file. Idempotent; a no-op after a successful commit. */
  abort(): Promise<void>;
}

/**
 * Creates the parent directories and the temporary file. Refuses an existing final name
 * unless `overwrite`, so a long run fails before it starts, not when it is done.
 */
export async function createAtomicFile(path: string, options: AtomicFileOptions = {}): Promise<AtomicFile> {
  const overwrite = options.overwrite ?? false;
  if (!overwrite) await refuseExisting(path);
  const dir = dirname(path);
  await ioWrite(path, () => mkdir(dir, { recursive: true }));
  const tempPath = join(dir, temporaryName(basename(path)));
  // 'wx+': never reuse someone else's file, even one with our improbable name; readable, so a
  // writer can patch what a library wrote (formats/hdf5/allocate.ts).
  const handle = await ioWrite(path, () => open(tempPath, 'wx+'));
  return new TempFile(path, tempPath, handle, overwrite);
}

/** Writes `data` to `path` through a temporary file: the whole content or nothing. */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: AtomicFileOptions = {},
): Promise<void> {
  const file = await createAtomicFile(path, options);
  try {
    await file.write(data);
    await file.commit();
  } finally {
    await file.abort();
  }
}

/** Runs `release` (closing what writes to the file), then removes the file even if it threw. */
export async function abortAfter(file: AtomicFile, release: () => void | Promise<void>): Promise<void> {
  try {
    await release();
  } finally {
    await file.abort();
  }
}

/** `.<name>.sluice-tmp-<pid>-<random>`: hidden, recognisable, unique per process and call. */
export function temporaryName(name: string): string {
  return `.${name}.sluice-tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * Removes the temporary files that runs killed while writing `path` left beside it: those
 * named for `path` whose pid no process has (`kill(pid, 0)` fails with ESRCH). A file of a
 * live process, this one included, stays. Resolves to the paths removed; a file that cannot
 * be removed is left, for the run to fail on, if it must, where it writes.
 */
export async function removeStaleTemporaries(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.sluice-tmp-`;
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const match = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length)) : null;
    if (!match || !isGone(Number(match[1]))) continue;
    const stale = join(dir, name);
    const gone = await unlink(stale).then(
      () => true,
      () => false,
    );
    if (gone) removed.push(stale);
  }
  return removed;
}

/** True only when no process has `pid`; EPERM (another user's process) means it exists. */
function isGone(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

type State = 'open' | 'committing' | 'committed' | 'aborted';

class TempFile implements AtomicFile {
  private state: State = 'open';
  private committing?: Promise<void>;
  private closed = false;

  constructor(
    readonly path: string,
    readonly tempPath: string,
    readonly handle: FileHandle,
    private readonly overwrite: boolean,
  ) {}

  async write(data: Uint8Array | string): Promise<void> {
    if (this.state !== 'open') throw new SluiceError('IO_WRITE', `${this.path}: write after ${this.state}`);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    // FileHandle.write may write less than asked; loop until every byte is out.
    for (let done = 0; done < bytes.length;) {
      const { bytesWritten } = await ioWrite(this.path, () =>
        this.handle.write(bytes, done, bytes.length - done, null),
      );
      done += bytesWritten;
    }
  }

  commit(): Promise<void> {
    if (this.state === 'aborted') {
      return Promise.reject(
        new SluiceError('ABORTED', `${this.path}: commit after abort`, { path: this.path }),
      );
    }
    this.committing ??= this.commitOnce();
    return this.committing;
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.removeTemp();
  }

  private async commitOnce(): Promise<void> {
    this.state = 'committing';
    try {
      await ioWrite(this.path, () => this.handle.sync());
      await this.close();
      // Checked again: the final name may have appeared while we were writing.
      if (!this.overwrite) await refuseExisting(this.path);
      await ioWrite(this.path, () => rename(this.tempPath, this.path));
      this.state = 'committed';
    } catch (error) {
      this.state = 'aborted';
      await this.removeTemp();
      throw error;
    }
    await syncDirectory(dirname(this.path));
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await ioWrite(this.path, () => this.handle.close());
  }

  private async removeTemp(): Promise<void> {
    await this.close().catch(() => undefined); // a close error must not keep the temp file
    await unlink(this.tempPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw wrapIo(this.path, error);
    });
  }
}

async function refuseExisting(path: string): Promise<void> {
  const exists = await stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw wrapIo(path, error);
    },
  );
  if (exists) {
    throw new SluiceError('OUTPUT_EXISTS', `output ${path} already exists`, {
      path,
      hint: 'use --overwrite',
    });
  }
}

/** Makes the rename durable; best effort, since some platforms cannot open a directory. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability of the directory entry is a bonus; the file's own data is already synced.
  }
}

async function ioWrite<T>(path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw wrapIo(path, error);
  }
}

function wrapIo(path: string, error: unknown): SluiceError {
  if (error instanceof SluiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SluiceError('IO_WRITE', `cannot write ${path}: ${message}`, { path, cause: error });
}
