/**
 * `sluice run SPEC --queue URL`: plans the run (queue-plan.ts), writes its description to the
 * scratch directory, adds one flow per pass (flow-tree.ts) and waits for each pass's root,
 * showing progress as shards finish; the main pass's root writes the outputs. Then it reads
 * the root's facts back for the report and removes the run's jobs and scratch files.
 *
 * The same command run again names the same run: a pass whose root is done is skipped, a
 * pass still in flight (its submitter was killed) is waited for, a failed one is removed and
 * added again, and every shard whose state is in the scratch directory returns at once
 * (`reused`). A failure cancels the run's other tasks and ends the run with the failed
 * task's error; Ctrl-C does the same with ABORTED. Finished states stay for the next try.
 */
import { existsSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { SluiceError } from '../core/errors.ts';
import { checkOutputs, preparePlan, singleFilePlan } from '../pipeline/api.ts';
import type { PassTree, QueueRunDescription } from '../pipeline/queue-plan.ts';
import { defaultShardRows, jobIdOf, passTree, planQueueRun, ROOT_NODE } from '../pipeline/queue-plan.ts';
import type { PreparedPipeline } from '../pipeline/prepare.ts';
import type { RunOptions, RunReport, ShardCounts } from '../pipeline/run-types.ts';
import type { PipelinePlan } from '../pipeline/validate.ts';
import { passFlow } from './flow-tree.ts';
import { shardMarkers, waitForPass } from './pass-watch.ts';
import type { TaskFlowProducer, TaskQueue } from './queue-connection.ts';
import { openFlowProducer, openQueue, waitForQueue } from './queue-connection.ts';
import type { QueueTarget } from './queue-url.ts';
import { parseQueueUrl } from './queue-url.ts';
import type { ClusterRun } from './row-outputs.ts';
import { parquetRowGroupRows, planRowOutputs } from './row-outputs.ts';
import { RunScratch } from './scratch.ts';
import type { RunResult } from './tasks.ts';

export interface QueueOptions {
  /** `redis://host:port[/db]` or `postgres://user:pass@host/db` (optionally `?queue=NAME`). */
  readonly queue: string;
  /** Rows per shard; default about 256 MiB of input. */
  readonly shardRows?: number;
  /**
   * Storage every worker reaches at the same path, for shard states and markers. Default: a
   * `.sluice/` directory beside the first output (or in the current directory).
   */
  readonly scratch?: string;
  /** Children per merge node; default 32. */
  readonly fanout?: number;
}

export type QueueRunOptions = RunOptions & QueueOptions;

/** How long a failed or cancelled run's jobs may take to let go of their locks before removal. */
const REMOVE_PATIENCE_MS = 10_000;

export async function runPlanOnQueue(plan: PipelinePlan, options: QueueRunOptions): Promise<RunReport> {
  const target = parseQueueUrl(options.queue);
  const startedAt = performance.now();
  const filePlan = singleFilePlan(plan, options);
  const scratchRoot = resolve(options.scratch ?? defaultScratch(filePlan));
  const prepared = await preparePlan(filePlan, options);
  let planned: QueueRunDescription;
  try {
    const shardRows = options.shardRows ?? alignedShardRows(prepared);
    const overwrite = options.overwrite ?? false;
    planned = planQueueRun(prepared, { ...options, shardRows, scratch: scratchRoot, overwrite });
  } finally {
    await prepared.source.close();
  }
  const scratch = RunScratch.of(scratchRoot, planned);
  const log = options.log ?? (() => {});
  const trees = Array.from({ length: planned.passes }, (_, i) => passTree(planned, i + 1));
  const finalRoot = jobIdOf(planned, planned.passes, ROOT_NODE);
  const alreadyDone = (await scratch.finished(planned.passes, ROOT_NODE, finalRoot)) !== undefined;
  if (!(alreadyDone && planned.outputs.every((out) => existsSync(out)))) {
    checkOutputs(filePlan, options.overwrite ?? false);
  }
  const queue = openQueue(target);
  const flows = openFlowProducer(target);
  try {
    await waitForQueue(queue, target, log);
    await waitForQueue(flows, target, log);
    const run = await describeRun(prepared, planned, scratch);
    log(
      `queue ${target.display}: run ${run.id}, ${trees[0].shards.length} shards of ${run.shardRows} rows, ` +
        `${run.passes} pass${run.passes > 1 ? 'es' : ''}, scratch ${scratch.dir}`,
    );
    const counts = await runPasses(run, trees, { queue, flows, scratch, target, options });
    const result = await scratch.readResult<RunResult>();
    if (!result)
      throw new SluiceError('STAGE_FAILED', `run ${run.id}: the root left no result in ${scratch.dir}`);
    await removeJobs(queue, run, trees, log);
    await scratch.remove();
    // The default `.sluice/` goes too once no run uses it; a --scratch directory is the user's.
    if (options.scratch === undefined) await rmdir(dirname(scratch.dir)).catch(() => {});
    return report(run, prepared, result, counts, (performance.now() - startedAt) / 1000);
  } finally {
    await Promise.allSettled([flows.close(), queue.close()]);
  }
}

/**
 * The run's description with how each sink's rows are written (the files shards fill in place
 * made now, unless this run made them before), written to its scratch directory, where a
 * failed attempt's errors and cancel mark are cleared.
 */
async function describeRun(
  prepared: PreparedPipeline,
  planned: QueueRunDescription,
  scratch: RunScratch,
): Promise<ClusterRun> {
  const previous = existsSync(join(scratch.dir, 'run.json'))
    ? ((await scratch.readDescription()) as ClusterRun)
    : undefined;
  const rows = await planRowOutputs(prepared, planned, previous);
  // Shards finished before wrote their rows into a file that is not there any more.
  if (rows.created) await scratch.forgetPass(planned.passes);
  const run: ClusterRun = { ...planned, rowOutputs: rows.outputs };
  await scratch.writeDescription(run);
  await scratch.resetFailure();
  return run;
}

/**
 * About 256 MiB of input per shard, rounded down to whole row groups of a Parquet output
 * (so its row groups are the local run's).
 */
function alignedShardRows(prepared: PreparedPipeline): number {
  const rows = defaultShardRows(prepared.source.rows, prepared.source.bytes);
  const group = parquetRowGroupRows(prepared);
  return group === undefined || group <= 0 ? rows : Math.max(group, Math.floor(rows / group) * group);
}

/** `.sluice/` beside the first output, or in the current directory when there is none. */
function defaultScratch(plan: PipelinePlan): string {
  const first = plan.sinks.flatMap((sink) => sink.stage.outputs(sink.params))[0];
  return join(first === undefined ? process.cwd() : dirname(resolve(first)), '.sluice');
}

interface Submission {
  readonly queue: TaskQueue;
  readonly flows: TaskFlowProducer;
  readonly scratch: RunScratch;
  readonly target: QueueTarget;
  readonly options: QueueRunOptions;
}

/** Runs the passes in order; the shard counts over all of them. */
async function runPasses(run: QueueRunDescription, trees: PassTree[], s: Submission): Promise<ShardCounts> {
  const counts = { total: 0, done: 0, reused: 0, retried: 0 };
  for (const tree of trees) {
    const watch = { run, tree, queue: s.queue, scratch: s.scratch, signal: s.options.signal };
    const before = await shardMarkers(watch);
    counts.total += tree.shards.length;
    counts.reused += before.size;
    const rootId = jobIdOf(run, tree.pass, ROOT_NODE);
    const isFinal = tree.pass === run.passes;
    const rootDone = await s.scratch.finished(tree.pass, ROOT_NODE, rootId);
    if (!(rootDone && (!isFinal || run.outputs.every((out) => existsSync(out))))) {
      await submitPass(run, tree, s);
      try {
        await waitForPass({ ...watch, onProgress: s.options.onProgress });
      } catch (error) {
        throw await stopRun(run, trees, s, error);
      }
    }
    const after = await shardMarkers(watch);
    counts.done += after.size;
    counts.retried += [...after.values()].filter((m) => m.attempts > 1).length;
  }
  return counts;
}

/** Adds the pass's flow, unless it is in flight already; a finished or failed one is replaced. */
async function submitPass(run: QueueRunDescription, tree: PassTree, s: Submission): Promise<void> {
  const rootId = jobIdOf(run, tree.pass, ROOT_NODE);
  const existing = await s.queue.getJob(rootId);
  const state = existing ? await existing.getState() : undefined;
  if (state !== undefined && !['completed', 'failed', 'unknown'].includes(state)) {
    s.options.log?.(`pass ${tree.pass}: its jobs are in the queue already (${state}); waiting for them`);
    return;
  }
  if (existing && !(await removeTree(s.queue, run, tree, s.options.log))) {
    throw new SluiceError('STAGE_FAILED', `run ${run.id}: workers still hold jobs of its last attempt`, {
      hint: 'They stop within a few seconds (or when their lock lapses): run the same command again.',
    });
  }
  await s.flows.add(passFlow(run, s.scratch.dir, tree, s.target.name));
}

/**
 * After a failure or an abort: marks the run cancelled (its running tasks stop), removes its
 * jobs, and returns the error the run ends with (ABORTED for an abort).
 */
async function stopRun(run: QueueRunDescription, trees: PassTree[], s: Submission, error: unknown) {
  await s.scratch.cancel().catch(() => {});
  await removeJobs(s.queue, run, trees, s.options.log, REMOVE_PATIENCE_MS).catch(() => {});
  if (s.options.signal?.aborted) {
    return new SluiceError('ABORTED', 'run interrupted; its finished shards are kept for the next run', {
      cause: error,
    });
  }
  return error;
}

async function removeJobs(
  queue: TaskQueue,
  run: QueueRunDescription,
  trees: PassTree[],
  log: ((message: string) => void) | undefined,
  patienceMs = 0,
): Promise<void> {
  for (const tree of trees) await removeTree(queue, run, tree, log, patienceMs);
}

/**
 * Removes a pass's jobs: its root with every job below it. A tree where a worker still holds a
 * job cannot be removed until the worker lets go (a cancelled task stops within a second); one
 * still held after `patienceMs` is left to the next run, which removes it before adding its own.
 * Resolves to whether the tree is gone.
 */
async function removeTree(
  queue: TaskQueue,
  run: QueueRunDescription,
  tree: PassTree,
  log: ((message: string) => void) | undefined,
  patienceMs = REMOVE_PATIENCE_MS,
): Promise<boolean> {
  const rootId = jobIdOf(run, tree.pass, ROOT_NODE);
  const deadline = Date.now() + patienceMs;
  for (;;) {
    await queue.remove(rootId, { removeChildren: true }).catch(() => 0);
    if (!(await queue.getJob(rootId))) return true;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  log?.(`pass ${tree.pass}: jobs still held by workers were left in the queue`);
  return false;
}

function report(
  run: QueueRunDescription,
  prepared: PreparedPipeline,
  result: RunResult,
  shards: ShardCounts,
  seconds: number,
): RunReport {
  const { plan, source } = prepared;
  return {
    name: plan.name,
    source: { path: source.path, format: source.format, backend: source.backend },
    rowsRead: result.counts.rowsRead,
    bytesRead: result.counts.bytesRead * run.passes,
    seconds,
    passes: run.passes,
    overlap: prepared.overlap,
    sinks: plan.sinks.map((sink, i) => ({
      type: sink.stage.name,
      ...(sink.name === undefined ? {} : { name: sink.name }),
      pointer: sink.pointer,
      rows: result.counts.sinkRows,
      outputs: result.outputs[i] ?? [],
      result: result.results[i],
    })),
    shards,
  };
}
