/**
 * A worker thread's side of a sharded main pass (sharded.ts): it builds the plan for its row
 * range from stage names, reads and accumulates the range, and sends back each sink's
 * accumulator state. It writes no output: the main thread merges and writes.
 */
import { parentPort } from 'node:worker_threads';
import { wrapError } from '../core/errors.ts';
import type { SinkInstance, StageContext } from '../core/stage.ts';
import { validateDefinition } from './api.ts';
import { preparePipeline } from './prepare.ts';
import { createSinks, runMainPass } from './runner.ts';
import type { ShardJob, ShardProgress, ShardResult } from './sharded.ts';

/** The worker's call (worker-entry.js runs it): the shard's accumulator states and counts. */
export default async function runShardJob(job: ShardJob): Promise<ShardResult> {
  try {
    return await runJob(job);
  } catch (error) {
    throw wrapError(error, 'shard');
  }
}

async function runJob(job: ShardJob): Promise<ShardResult> {
  const plan = validateDefinition({
    source: { ...job.source, startRow: job.startRow, endRow: job.endRow, origin: job.origin },
    steps: job.steps,
    sinks: job.sinks,
  });
  const ctx: StageContext = { signal: new AbortController().signal, log: () => {} };
  const prepared = await preparePipeline(plan, ctx);
  const sinks: SinkInstance[] = [];
  try {
    const results = new Map(job.prepared.map((result, index) => [index, result]));
    // The job's sinks name no outputs (sharded.ts): nothing here touches a file.
    await createSinks(prepared, ctx, true, results, sinks);
    const counts = await runMainPass(
      prepared,
      ctx,
      {
        onProgress: (p) =>
          parentPort?.postMessage({ kind: 'progress', rows: p.rows, bytes: p.bytes } satisfies ShardProgress),
      },
      sinks,
    );
    const states = sinks.map((sink) => sink.accumulator?.toState?.());
    return { states, counts };
  } finally {
    await Promise.allSettled(sinks.map((sink) => sink.abort()));
    await prepared.source.close();
  }
}
