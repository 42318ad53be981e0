/**
 * `sluice worker`: a long-running BullMQ worker that takes shard, merge and root jobs of any
 * queued run and runs each on a task thread (task-slot.ts). It holds no state of its own:
 * everything a job needs is in the scratch directory, so any number of workers on any number
 * of machines share the work, and a worker killed mid-job costs only that job's time: BullMQ
 * sees its lock lapse and gives the job to another worker.
 *
 * A failed task is retried (attempts with backoff) when the failure may pass (I/O, a thread
 * that died); a SluiceError of the data or the spec fails the job at once, recorded in the
 * scratch directory for the submitting run. A run marked cancelled stops its tasks here.
 */
import { hostname } from 'node:os';
import { UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';
import type { SluiceError } from '../core/errors.ts';
import { wrapError } from '../core/errors.ts';
import { openWorker, waitForQueue } from './queue-connection.ts';
import type { TaskWorker } from './queue-connection.ts';
import { parseQueueUrl } from './queue-url.ts';
import { RunScratch } from './scratch.ts';
import { TaskSlot } from './task-slot.ts';
import type { TaskData, TaskOutcome, TaskProgress } from './task-types.ts';

export interface QueueWorkerOptions {
  /** `redis://…` or `postgres://…` (queue-url.ts). */
  readonly queue: string;
  /** Jobs at once, each on its own thread; default 1. */
  readonly concurrency?: number;
  /**
   * Seconds a job's lock lasts unless renewed (it is renewed every half of it while the job
   * runs); a job whose worker died runs again after one to two of these. Default 30.
   */
  readonly lockSeconds?: number;
  readonly log?: (message: string) => void;
}

export interface QueueWorker {
  /** Finishes the jobs in progress, takes no more, and stops. */
  close(): Promise<void>;
}

/** Codes that retrying cannot change: the data or the spec is wrong. */
const TRANSIENT_CODES = new Set(['IO_READ', 'IO_WRITE', 'IO_SHORT_READ', 'STAGE_FAILED']);
const PROGRESS_EVERY_MS = 1000;
const CANCEL_CHECK_MS = 500;

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const target = parseQueueUrl(options.queue);
  const log = options.log ?? (() => {});
  const lockMs = Math.round((options.lockSeconds ?? 30) * 1000);
  // One thread per job slot, started now: a job does not wait for sluice to load.
  const idle = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => new TaskSlot());
  idle.forEach((slot) => slot.warm());
  const host = hostname();
  const processor = async (job: Job<TaskData, TaskOutcome>): Promise<TaskOutcome> => {
    const slot = idle.pop() ?? new TaskSlot();
    const scratch = new RunScratch(job.data.run);
    let cancelled = scratch.isCancelled();
    const watch = setInterval(() => {
      if (!cancelled && scratch.isCancelled()) {
        cancelled = true;
        void slot.terminate();
      }
    }, CANCEL_CHECK_MS);
    log(`${job.id}: started (attempt ${job.attemptsStarted})`);
    try {
      if (cancelled) throw new UnrecoverableError(`${job.data.node}: its run was cancelled`);
      const outcome = await slot.run(
        { ...job.data, job: String(job.id), attempts: job.attemptsStarted, host },
        throttle((p: TaskProgress) => void job.updateProgress({ ...p }).catch(() => {})),
      );
      log(`${job.id}: ${outcome.reused ? 'already done' : `done, ${outcome.rows} rows`}`);
      return outcome;
    } catch (error) {
      if (cancelled) throw new UnrecoverableError(`${job.data.node}: its run was cancelled`);
      throw await failure(job, scratch, wrapError(error, job.data.node), log);
    } finally {
      clearInterval(watch);
      if (!cancelled) idle.push(slot);
    }
  };
  const worker: TaskWorker = openWorker(target, processor, {
    concurrency: Math.max(1, options.concurrency ?? 1),
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: 3,
    autorun: false,
  });
  try {
    await waitForQueue(worker, target, log);
  } catch (error) {
    // Never connected: nothing to finish, and a close that waits for the server would wait forever.
    worker.on('error', () => {});
    await Promise.race([worker.close(true), new Promise((r) => setTimeout(r, 1000))]).catch(() => {});
    await worker.disconnect().catch(() => {});
    await Promise.allSettled(idle.map((slot) => slot.terminate()));
    throw error;
  }
  void worker.run();
  log(`worker on ${target.display} (queue ${target.name}), concurrency ${options.concurrency ?? 1}`);
  return {
    close: async () => {
      await worker.close();
      await Promise.allSettled(idle.splice(0).map((slot) => slot.stop()));
    },
  };
}

/**
 * The error the job fails with: an UnrecoverableError (no retry) for the data's or spec's
 * errors, recorded in the scratch directory, like the last attempt of a transient one.
 */
async function failure(
  job: Job<TaskData, TaskOutcome>,
  scratch: RunScratch,
  error: SluiceError,
  log: (message: string) => void,
): Promise<Error> {
  const transient = TRANSIENT_CODES.has(error.code);
  const last = !transient || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  log(`${job.id}: failed: ${error.code}: ${error.message}${last ? '' : ' (will retry)'}`);
  if (last) {
    const record = { job: String(job.id), node: job.data.node, error: error.toJSON() };
    await scratch.recordError(record).catch(() => {});
  }
  const message = `${error.code}: ${error.message}`;
  return transient ? new Error(message) : new UnrecoverableError(message);
}

/** Calls `fn` at most once per PROGRESS_EVERY_MS (progress is a write to the queue's server). */
function throttle<T>(fn: (value: T) => void): (value: T) => void {
  let last = 0;
  return (value) => {
    const now = Date.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    fn(value);
  };
}
