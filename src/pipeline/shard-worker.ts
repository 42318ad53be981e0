/**
 * A worker thread's side of a sharded main pass (sharded.ts): it builds the plan for its row
 * range from stage names, reads and accumulates the range, and sends back each sink's
 * accumulator state. It writes no output: the main thread merges and writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isSluiceError, wrapError } from '../core/errors.ts';
import type { SinkInstance, StageContext } from '../core/stage.ts';
import { validateDefinition } from './api.ts';
import { preparePipeline } from './prepare.ts';
import { createSinks, runMainPass } from './runner.ts';
import type { ShardJob, ShardMessage } from './sharded.ts';

async function runJob(job: ShardJob): Promise<ShardMessage> {
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
        onProgress: (p) => parentPort?.postMessage({ kind: 'progress', rows: p.rows, bytes: p.bytes }),
      },
      sinks,
    );
    const states = sinks.map((sink) => sink.accumulator?.toState?.());
    return { kind: 'done', states, counts };
  } finally {
    await Promise.allSettled(sinks.map((sink) => sink.abort()));
    await prepared.source.close();
  }
}

runJob(workerData as ShardJob).then(
  (message) => parentPort?.postMessage(message),
  (error: unknown) => {
    const failure = isSluiceError(error) ? error : wrapError(error, 'shard');
    parentPort?.postMessage({ kind: 'error', error: failure.toJSON() } satisfies ShardMessage);
  },
);
