/**
 * The three tasks of a queued run, run on a worker's task thread (task-thread.ts):
 *
 * - shard: reads its rows (with their look-back) through the pipeline and writes each sink's
 *   accumulator state, or in the pass before the main one each pre-pass accumulator's state;
 *   a sink that keeps rows writes them its own way (row-outputs.ts): into the output filled in
 *   place, or a Parquet part in the scratch directory;
 * - merge: folds its children's states, in row order, into fresh accumulators and writes theirs;
 * - root: the same, and in the main pass creates the accumulator sinks with their outputs,
 *   checks the row counts, finishes the sinks (outputs written under temporary names and
 *   renamed, as a local run writes them) and completes the row outputs. The report's facts
 *   go to the scratch directory.
 *
 * Every task writes its state, then its done-marker; one whose marker names its job is done
 * already and returns at once, so running a job twice changes nothing.
 */
import { existsSync } from 'node:fs';
import { SluiceError } from '../core/errors.ts';
import type { Accumulator, SinkInstance, StageContext } from '../core/stage.ts';
import { removeStaleTemporaries } from '../io/atomic-file.ts';
import type { StageRef } from '../pipeline/api.ts';
import { validateDefinition } from '../pipeline/api.ts';
import type { PreparedPipeline } from '../pipeline/prepare.ts';
import { preparePipeline } from '../pipeline/prepare.ts';
import { passTree, ROOT_NODE, taskDefinition } from '../pipeline/queue-plan.ts';
import { openRegionSink } from '../pipeline/region-sink.ts';
import type { PassCounts } from '../pipeline/run-types.ts';
import {
  checkRowCounts,
  createSinks,
  prepassAccumulators,
  runMainPass,
  runPrepassPass,
} from '../pipeline/runner.ts';
import type { ClusterRun } from './row-outputs.ts';
import { finishRowOutput, partPath } from './row-outputs.ts';
import { RunScratch } from './scratch.ts';
import type { TaskOutcome, TaskProgress, TaskRequest } from './task-types.ts';

/** What a state file holds: one state per sink (undefined for a sink without one), and counts. */
export interface NodeState {
  readonly states: readonly unknown[];
  readonly counts: PassCounts;
}

/** What the root of the main pass leaves for the submitting run's report. */
export interface RunResult {
  readonly results: readonly unknown[];
  readonly outputs: readonly (readonly string[])[];
  readonly counts: PassCounts;
}

/** Stands in for a sink a merge node or the root does not run (one that keeps rows). */
const NO_SINK: SinkInstance = {
  outputs: [],
  write: () => {},
  finish: async () => undefined,
  abort: async () => {},
};

export async function runTask(
  task: TaskRequest,
  onProgress: (p: TaskProgress) => void,
): Promise<TaskOutcome> {
  const scratch = new RunScratch(task.run);
  const run = (await scratch.readDescription()) as ClusterRun;
  const finished = await scratch.finished(task.pass, task.node, task.job);
  const isFinalRoot = task.kind === 'root' && task.pass === run.passes;
  if (finished && (!isFinalRoot || run.outputs.every((out) => existsSync(out)))) {
    return { reused: true, rows: finished.rows, bytes: finished.bytes };
  }
  const startedAt = performance.now();
  const ctx: StageContext = { signal: new AbortController().signal, log: () => {} };
  const node =
    task.kind === 'shard'
      ? await runShard(run, scratch, task, ctx, onProgress)
      : await mergeChildren(run, scratch, task, ctx, isFinalRoot);
  await scratch.writeState(task.pass, task.node, node, {
    job: task.job,
    rows: node.counts.rowsRead,
    bytes: node.counts.bytesRead,
    attempts: task.attempts,
    host: task.host,
    seconds: (performance.now() - startedAt) / 1000,
  });
  return { reused: false, rows: node.counts.rowsRead, bytes: node.counts.bytesRead };
}

/** Reads the shard's rows and returns its accumulators' states; its row outputs are written. */
async function runShard(
  run: ClusterRun,
  scratch: RunScratch,
  task: TaskRequest,
  ctx: StageContext,
  onProgress: (p: TaskProgress) => void,
): Promise<NodeState> {
  if (task.startRow === undefined || task.endRow === undefined) {
    throw new SluiceError('USAGE', `job ${task.job}: a shard without rows`);
  }
  const range = { startRow: task.startRow, endRow: task.endRow };
  const prepared = await prepare(run, task, ctx, range, false);
  const options = { onProgress: (p: TaskProgress) => onProgress({ rows: p.rows, bytes: p.bytes }) };
  try {
    if (task.pass < run.passes) {
      const accumulators = prepassAccumulators(prepared);
      const counts = await runPrepassPass(prepared, ctx, options, accumulators);
      return { states: statesOf(prepared, (i) => accumulators.get(i)), counts };
    }
    return await withSinks(prepared, run, scratch, ctx, 'shard', async (sinks, finished) => {
      const counts = await runMainPass(prepared, ctx, options, sinks);
      for (const [i, sink] of sinks.entries()) {
        if (!run.rowOutputs[i]) continue;
        await finishSink(prepared, i, sink);
        finished.add(sink);
      }
      return { states: statesOf(prepared, (i) => sinks[i].accumulator), counts };
    });
  } finally {
    await prepared.source.close();
  }
}

/** Folds the children's states in order; the main pass's root also writes the outputs. */
async function mergeChildren(
  run: ClusterRun,
  scratch: RunScratch,
  task: TaskRequest,
  ctx: StageContext,
  isFinalRoot: boolean,
): Promise<NodeState> {
  const children = task.children ?? [];
  const prepared = await prepare(run, task, ctx, undefined, isFinalRoot);
  try {
    if (task.pass < run.passes) {
      const accumulators = prepassAccumulators(prepared);
      const counts = await foldChildren(scratch, task.pass, children, (i) => accumulators.get(i));
      return { states: statesOf(prepared, (i) => accumulators.get(i)), counts };
    }
    const role = isFinalRoot ? 'root' : 'merge';
    return await withSinks(prepared, run, scratch, ctx, role, async (sinks, finished) => {
      const counts = await foldChildren(scratch, task.pass, children, (i) => sinks[i].accumulator);
      if (!isFinalRoot) return { states: statesOf(prepared, (i) => sinks[i].accumulator), counts };
      checkRowCounts(prepared, counts.rowsRead, counts.sinkRows);
      const shards = passTree(run, task.pass).shards;
      const results: unknown[] = [];
      for (const [i, sink] of sinks.entries()) {
        const output = run.rowOutputs[i];
        if (output) {
          const parts = shards.map((s) => partPath(task.run, task.pass, s.name, i));
          await finishRowOutput(output, parts, run.overwrite);
          results.push({ rows: counts.sinkRows });
        } else {
          results.push(await finishSink(prepared, i, sink));
        }
        finished.add(sink);
      }
      const outputs = sinks.map((sink, i) => (run.rowOutputs[i] ? [run.rowOutputs[i].out] : sink.outputs));
      await scratch.writeResult({ results, outputs, counts } satisfies RunResult);
      return { states: [], counts };
    });
  } finally {
    await prepared.source.close();
  }
}

/**
 * The task's pipeline: a shard's rows (or the whole run's), with its sinks as the task runs
 * them: accumulators without outputs (but the final root's, with), a Parquet row output
 * writing its part to the scratch directory, the rest as the spec gives them (not created).
 */
function prepare(
  run: ClusterRun,
  task: TaskRequest,
  ctx: StageContext,
  range: { startRow: number; endRow: number } | undefined,
  isFinalRoot: boolean,
): Promise<PreparedPipeline> {
  const definition = taskDefinition(run, range, isFinalRoot);
  const sinks = definition.sinks.map((sink, i): StageRef => {
    const output = run.rowOutputs[i];
    if (!output) return sink;
    const ref = run.definition.sinks[i];
    return output.kind === 'regions' ? ref : { ...ref, out: partPath(task.run, task.pass, task.node, i) };
  });
  return preparePipeline(validateDefinition({ ...definition, sinks }), ctx);
}

/** Merges each child's states into the accumulators, in the children's order; sums the counts. */
async function foldChildren(
  scratch: RunScratch,
  pass: number,
  children: readonly string[],
  accumulatorOf: (sink: number) => Accumulator<unknown> | undefined,
): Promise<PassCounts> {
  const counts: PassCounts = { rowsRead: 0, bytesRead: 0, sinkRows: 0 };
  for (const child of children) {
    const node = await scratch.readState<NodeState>(pass, child);
    node.states.forEach((state, i) => {
      if (state !== undefined) accumulatorOf(i)?.merge(state as never);
    });
    counts.rowsRead += node.counts.rowsRead;
    counts.bytesRead += node.counts.bytesRead;
    counts.sinkRows += node.counts.sinkRows;
  }
  return counts;
}

/**
 * Creates the sinks (with the pre-pass results rebuilt from its root's state), calls `use`,
 * and aborts them afterwards unless `use` added them to `finished`: a sink that wrote nothing
 * is just released, and a root that failed leaves no output. Row outputs: a shard writes its
 * rows (in place, or a part), merge nodes and the root leave them to `finishRowOutput`.
 */
async function withSinks<T>(
  prepared: PreparedPipeline,
  run: ClusterRun,
  scratch: RunScratch,
  ctx: StageContext,
  role: 'shard' | 'merge' | 'root',
  use: (sinks: SinkInstance[], finished: Set<SinkInstance>) => Promise<T>,
): Promise<T> {
  const sinks: SinkInstance[] = [];
  const finished = new Set<SinkInstance>();
  const schema = prepared.schemas[prepared.schemas.length - 1];
  const instead = async (i: number): Promise<SinkInstance | undefined> => {
    const output = run.rowOutputs[i];
    if (!output) return undefined;
    if (role !== 'shard') return NO_SINK;
    if (output.kind !== 'regions') return undefined;
    const startRow = Number(prepared.plan.source.params.startRow);
    return openRegionSink(output, schema.columns, { runStart: run.startRow, startRow, sync: true });
  };
  try {
    const results = run.passes > 1 ? await prepassResults(prepared, scratch) : new Map<number, unknown>();
    if (role === 'root') {
      for (const out of run.outputs.filter((o) => !o.endsWith('/'))) await removeStaleTemporaries(out);
    }
    // A shard's Parquet part may be there from an attempt that died before its marker.
    await createSinks(prepared, ctx, role === 'shard' || run.overwrite, results, sinks, instead);
    requireAccumulators(prepared, run, sinks);
    return await use(sinks, finished);
  } finally {
    await Promise.allSettled(sinks.filter((sink) => !finished.has(sink)).map((sink) => sink.abort()));
  }
}

/** The pre-pass results: fresh pre-pass accumulators merged with its root's states. */
async function prepassResults(
  prepared: PreparedPipeline,
  scratch: RunScratch,
): Promise<Map<number, unknown>> {
  const root = await scratch.readState<NodeState>(1, ROOT_NODE);
  const accumulators = prepassAccumulators(prepared);
  const results = new Map<number, unknown>();
  for (const [i, accumulator] of accumulators) {
    if (root.states[i] !== undefined) accumulator.merge(root.states[i] as never);
    results.set(i, accumulator.result());
  }
  return results;
}

function requireAccumulators(
  prepared: PreparedPipeline,
  run: ClusterRun,
  sinks: readonly SinkInstance[],
): void {
  sinks.forEach((sink, i) => {
    if (sink.accumulator || run.rowOutputs[i]) return;
    const { pointer, stage } = prepared.plan.sinks[i];
    throw new SluiceError(
      'USAGE',
      `${pointer} (${stage.name}) cannot run on a queue: it has no accumulator`,
      {
        hint: 'Run this spec without --queue.',
      },
    );
  });
}

/**
 * Each sink's state as `merge` reads it: `toState()` where the accumulator has one, otherwise
 * the accumulator itself, whose own fields are what the structured clone keeps.
 */
function statesOf(
  prepared: PreparedPipeline,
  accumulatorOf: (sink: number) => Accumulator<unknown> | undefined,
): unknown[] {
  return prepared.plan.sinks.map((_, i) => {
    const accumulator = accumulatorOf(i);
    return accumulator?.toState ? accumulator.toState() : accumulator;
  });
}

async function finishSink(prepared: PreparedPipeline, index: number, sink: SinkInstance): Promise<unknown> {
  const { pointer, stage } = prepared.plan.sinks[index];
  try {
    return await sink.finish();
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    throw new SluiceError('STAGE_FAILED', `${pointer} (${stage.name}): ${(error as Error).message}`, {
      cause: error,
    });
  }
}
