/**
 * The submitting run's view of a pass in flight: it waits for the pass's root job, and from
 * the done-markers in the scratch directory and the progress of the run's active jobs it
 * reports how far the pass is. Polling, the same on both backends.
 */
import { SluiceError, sluiceErrorFromJSON } from '../core/errors.ts';
import type { PassTree, QueueRunDescription } from '../pipeline/queue-plan.ts';
import { jobIdOf, ROOT_NODE } from '../pipeline/queue-plan.ts';
import type { PassProgress } from '../pipeline/run-types.ts';
import type { TaskQueue } from './queue-connection.ts';
import type { DoneMarker, RunScratch } from './scratch.ts';
import type { TaskProgress } from './task-types.ts';

const POLL_MS = 250;
/** Active jobs' progress is asked for less often than the root's state. */
const ACTIVE_EVERY = 4;

export interface PassWatch {
  readonly run: QueueRunDescription;
  readonly tree: PassTree;
  readonly queue: TaskQueue;
  readonly scratch: RunScratch;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: PassProgress) => void;
}

/** The shards' done-markers written so far, by shard name (those of this run only). */
export async function shardMarkers(watch: Omit<PassWatch, 'queue'>): Promise<Map<string, DoneMarker>> {
  const markers = await watch.scratch.markers(watch.tree.pass);
  const found = new Map<string, DoneMarker>();
  for (const shard of watch.tree.shards) {
    const marker = markers.get(shard.name);
    if (marker?.job === jobIdOf(watch.run, watch.tree.pass, shard.name)) found.set(shard.name, marker);
  }
  return found;
}

/** Resolves when the pass's root job completes; rejects with the failed task's error. */
export async function waitForPass(watch: PassWatch): Promise<void> {
  const rootId = jobIdOf(watch.run, watch.tree.pass, ROOT_NODE);
  let active = new Map<string, TaskProgress>();
  for (let poll = 0; ; poll++) {
    watch.signal?.throwIfAborted();
    const job = await watch.queue.getJob(rootId);
    const state = job ? await job.getState() : 'unknown';
    if (state === 'completed') return;
    if (state === 'failed') throw await passFailure(watch, job?.failedReason);
    if (state === 'unknown') {
      throw new SluiceError('STAGE_FAILED', `job ${rootId} disappeared from the queue`, {
        hint: 'Someone removed it (or the queue was emptied): run the same command again to continue.',
      });
    }
    if (watch.onProgress) {
      if (poll % ACTIVE_EVERY === 0) active = await activeProgress(watch);
      await reportProgress(watch, active);
    }
    await sleep(POLL_MS, watch.signal);
  }
}

async function reportProgress(watch: PassWatch, active: ReadonlyMap<string, TaskProgress>): Promise<void> {
  const markers = await shardMarkers(watch);
  let rows = 0;
  let bytes = 0;
  for (const marker of markers.values()) {
    rows += marker.rows;
    bytes += marker.bytes;
  }
  for (const [name, p] of active) {
    if (markers.has(name)) continue;
    rows += p.rows;
    bytes += p.bytes;
  }
  const { run, tree } = watch;
  watch.onProgress?.({
    rows,
    bytes,
    pass: tree.pass,
    passes: run.passes,
    totalRows: run.endRow - run.startRow,
    totalBytes: run.bytes,
    shards: { done: markers.size, total: tree.shards.length },
  });
}

/** The progress of this pass's shards that workers are running now, by shard name. */
async function activeProgress(watch: PassWatch): Promise<Map<string, TaskProgress>> {
  const prefix = jobIdOf(watch.run, watch.tree.pass, '');
  const jobs = await watch.queue.getJobs(['active']).catch(() => []);
  const found = new Map<string, TaskProgress>();
  for (const job of jobs) {
    const progress = job?.progress as Partial<TaskProgress> | undefined;
    if (!job?.id?.startsWith(prefix) || typeof progress?.rows !== 'number') continue;
    found.set(job.id.slice(prefix.length), { rows: progress.rows, bytes: progress.bytes ?? 0 });
  }
  return found;
}

/**
 * The error a failed pass ends with: the recorded error of the failed task that comes first
 * in row order (a shard before the merge nodes it failed), else the root's reason.
 */
async function passFailure(watch: PassWatch, reason: string | undefined): Promise<SluiceError> {
  const records = await watch.scratch.errors();
  const order = [...watch.tree.shards.map((s) => s.name), ...watch.tree.levels.flat().map((n) => n.name)];
  const rank = (node: string) => (order.includes(node) ? order.indexOf(node) : order.length);
  const first = records
    .filter((r) => r.job.startsWith(jobIdOf(watch.run, watch.tree.pass, '')))
    .sort((a, b) => rank(a.node) - rank(b.node))[0];
  if (first) return sluiceErrorFromJSON(first.error);
  return new SluiceError('STAGE_FAILED', `the run failed: ${reason ?? 'no reason given'}`, {
    hint: 'The workers’ output (sluice worker --verbose) says more.',
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    const onAbort = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.reason ?? new Error('aborted'));
    };
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
