/**
 * The scratch directory of a queued run (docs/design.md §8): storage every worker reaches at the
 * same path. A run's directory holds its description (run.json), one state file per finished
 * shard or merge node, written under a temporary name and renamed, then a small done-marker
 * written the same way, last. A task whose marker exists and names its job is done: a
 * duplicate (a stalled job run again) or a resubmitted run returns at once. Errors that ended
 * a task for good are recorded for the submitting `sluice run`, and a `cancelled` file tells
 * the tasks still running that the run failed.
 *
 *   <scratch>/<run id>/run.json
 *   <scratch>/<run id>/p<pass>/<node>.state   v8-serialized { states, counts }
 *   <scratch>/<run id>/p<pass>/<node>.done    JSON marker
 *   <scratch>/<run id>/result                 v8-serialized final report facts (the root's)
 *   <scratch>/<run id>/errors/<job id>.json   SluiceError.toJSON() of a failed task
 *   <scratch>/<run id>/cancelled
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { SluiceError } from '../core/errors.ts';
import { writeFileAtomic } from '../io/atomic-file.ts';
import type { QueueRunDescription } from '../pipeline/queue-plan.ts';

/** What a done-marker says: which job wrote the state, how big it is, and what the task read. */
export interface DoneMarker {
  readonly job: string;
  readonly stateBytes: number;
  readonly rows: number;
  readonly bytes: number;
  /** Times the job was started (more than 1: a worker died or an attempt failed). */
  readonly attempts: number;
  readonly host: string;
  readonly seconds: number;
}

/** A recorded failure: the job, and its error as SluiceError.toJSON() gives it. */
export interface ErrorRecord {
  readonly job: string;
  readonly node: string;
  readonly error: Record<string, unknown>;
}

const RUN_FILE = 'run.json';
const RESULT_FILE = 'result';
const CANCELLED_FILE = 'cancelled';

/** One run's directory in the scratch storage. */
export class RunScratch {
  constructor(readonly dir: string) {}

  static of(scratch: string, run: QueueRunDescription): RunScratch {
    return new RunScratch(join(scratch, run.id));
  }

  async writeDescription(run: QueueRunDescription): Promise<void> {
    await write(join(this.dir, RUN_FILE), `${JSON.stringify(run, null, 2)}\n`);
  }

  async readDescription(): Promise<QueueRunDescription> {
    const text = await read(join(this.dir, RUN_FILE));
    return JSON.parse(text.toString('utf8')) as QueueRunDescription;
  }

  statePath(pass: number, node: string): string {
    return join(this.dir, `p${pass}`, `${node}.state`);
  }

  /** Writes a node's state, then its marker: the marker exists only once the state is whole. */
  async writeState(pass: number, node: string, value: unknown, marker: Omit<DoneMarker, 'stateBytes'>) {
    const bytes = serializeState(value, node);
    await write(this.statePath(pass, node), bytes);
    const done: DoneMarker = { ...marker, stateBytes: bytes.length };
    await write(this.markerPath(pass, node), `${JSON.stringify(done)}\n`);
    return done;
  }

  async readState<T>(pass: number, node: string): Promise<T> {
    return deserialize(await read(this.statePath(pass, node))) as T;
  }

  /** The node's marker when it was written by `job` and its state file is whole; else undefined. */
  async finished(pass: number, node: string, job: string): Promise<DoneMarker | undefined> {
    const marker = await this.marker(pass, node);
    if (!marker || marker.job !== job) return undefined;
    const size = await stat(this.statePath(pass, node)).then(
      (s) => s.size,
      () => -1,
    );
    return size === marker.stateBytes ? marker : undefined;
  }

  async marker(pass: number, node: string): Promise<DoneMarker | undefined> {
    try {
      return JSON.parse(await readFile(this.markerPath(pass, node), 'utf8')) as DoneMarker;
    } catch {
      return undefined;
    }
  }

  /** Every marker of a pass, by node name (one directory listing and small reads). */
  async markers(pass: number): Promise<Map<string, DoneMarker>> {
    const dir = join(this.dir, `p${pass}`);
    const names = await readdir(dir).catch(() => [] as string[]);
    const found = new Map<string, DoneMarker>();
    for (const name of names.filter((n) => n.endsWith('.done'))) {
      const node = name.slice(0, -'.done'.length);
      const marker = await this.marker(pass, node);
      if (marker) found.set(node, marker);
    }
    return found;
  }

  /** Removes a node's marker, so that its task runs again (the root, when its outputs were deleted). */
  async forget(pass: number, node: string): Promise<void> {
    await rm(this.markerPath(pass, node), { force: true });
  }

  /** Removes every state and marker of a pass: its tasks all run again. */
  async forgetPass(pass: number): Promise<void> {
    await rm(join(this.dir, `p${pass}`), { recursive: true, force: true });
  }

  async writeResult(value: unknown): Promise<void> {
    await write(join(this.dir, RESULT_FILE), serialize(value));
  }

  async readResult<T>(): Promise<T | undefined> {
    const bytes = await readFile(join(this.dir, RESULT_FILE)).catch(() => undefined);
    return bytes ? (deserialize(bytes) as T) : undefined;
  }

  async recordError(record: ErrorRecord): Promise<void> {
    await write(join(this.dir, 'errors', `${record.job}.json`), `${JSON.stringify(record)}\n`);
  }

  async errors(): Promise<ErrorRecord[]> {
    const dir = join(this.dir, 'errors');
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
    const records: ErrorRecord[] = [];
    for (const name of names.sort()) {
      const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
      if (text) records.push(JSON.parse(text) as ErrorRecord);
    }
    return records;
  }

  async cancel(): Promise<void> {
    await write(join(this.dir, CANCELLED_FILE), `${new Date().toISOString()}\n`);
  }

  isCancelled(): boolean {
    return existsSync(join(this.dir, CANCELLED_FILE));
  }

  /** Clears what a failed attempt left (its errors and the cancel mark); finished states stay. */
  async resetFailure(): Promise<void> {
    await rm(join(this.dir, 'errors'), { recursive: true, force: true });
    await rm(join(this.dir, CANCELLED_FILE), { force: true });
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private markerPath(pass: number, node: string): string {
    return join(this.dir, `p${pass}`, `${node}.done`);
  }
}

/** Temporary name, fsync, rename: a reader sees the whole file or none (io/atomic-file.ts). */
async function write(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFileAtomic(path, data, { overwrite: true });
}

function serializeState(value: unknown, node: string): Buffer {
  try {
    return serialize(value);
  } catch (error) {
    throw new SluiceError(
      'STAGE_FAILED',
      `${node}: an accumulator state cannot be stored: ${(error as Error).message}`,
      {
        cause: error,
        hint: 'A sink whose accumulator holds functions or handles cannot run on a queue; run it without --queue.',
      },
    );
  }
}

async function read(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new SluiceError('IO_READ', `scratch file ${path}: ${(error as Error).message}`, {
      path,
      cause: error,
      hint: 'Every worker must reach the scratch directory at the same path (--scratch).',
    });
  }
}
