import { SluiceError, wrapError } from '../core/errors.ts';
import type { SinkInstance, StageContext } from '../core/stage.ts';
import { removeStaleTemporaries } from '../io/atomic-file.ts';
import { callStage, checkRowCounts, createSinks, runMainPass, runPrepass } from './passes.ts';
import type { PreparedPipeline } from './prepare.ts';
import type { PassCounts, RunOptions, RunReport } from './run-types.ts';
import { plannedThreads, ThreadedRun } from './sharded.ts';

export type { PassCounts, PassProgress, RunOptions, RunReport, SinkReport } from './run-types.ts';
export { checkRowCounts, createSinks, prepassAccumulators, runMainPass, runPrepassPass } from './passes.ts';

/**
 * Runs a prepared pipeline to completion and closes its source. The batch flow is a strict
 * pull (stream-chain's substrate-free chain): the source is asked for the next batch only
 * after every sink has finished with the current one, so it may reuse that batch's buffers
 * and drop its mapped pages, and the slowest sink's pace governs.
 */
export async function executePipeline(
  prepared: PreparedPipeline,
  options: RunOptions = {},
): Promise<RunReport> {
  const controller = new AbortController();
  const detach = linkSignal(options.signal, controller);
  const ctx: StageContext = { signal: controller.signal, log: options.log ?? (() => {}) };
  const startedAt = performance.now();
  const sinks: SinkInstance[] = [];
  let failed = false;
  const { source } = prepared;
  ctx.log(
    `${source.format} ${source.path}: ${source.rows} rows, io ${source.backend}; ` +
      `overlap ${prepared.overlap} rows; ${prepared.passes} pass${prepared.passes > 1 ? 'es' : ''}`,
  );
  const planned = await plannedThreads(prepared, options);
  const threaded = planned > 1 ? new ThreadedRun(prepared, ctx, options, planned) : undefined;
  try {
    const { counts, threads } = await runPasses(prepared, ctx, options, sinks, threaded);
    checkRowCounts(prepared, counts.rowsRead, counts.sinkRows);
    const results = await Promise.all(
      sinks.map((sink, i) => callStage(prepared.plan.sinks[i].pointer, () => sink.finish())),
    );
    return {
      name: prepared.plan.name,
      source: {
        path: prepared.source.path,
        format: prepared.source.format,
        backend: prepared.source.backend,
      },
      rowsRead: counts.rowsRead,
      bytesRead: counts.bytesRead * prepared.passes,
      seconds: (performance.now() - startedAt) / 1000,
      passes: prepared.passes,
      overlap: prepared.overlap,
      threads,
      schema: prepared.schemas[prepared.schemas.length - 1],
      sinks: sinks.map((sink, i) => ({
        type: prepared.plan.sinks[i].stage.name,
        ...(prepared.plan.sinks[i].name === undefined ? {} : { name: prepared.plan.sinks[i].name }),
        pointer: prepared.plan.sinks[i].pointer,
        rows: counts.sinkRows,
        outputs: sink.outputs,
        result: results[i],
      })),
    };
  } catch (error) {
    failed = true;
    controller.abort();
    await Promise.allSettled(sinks.map((sink) => sink.abort()));
    throw options.signal?.aborted || isAbort(error)
      ? new SluiceError('ABORTED', 'run interrupted; incomplete outputs were removed', {
          cause: error,
        })
      : error;
  } finally {
    detach();
    await threaded?.close();
    await closeSource(prepared, failed);
  }
}

/**
 * The passes, into `sinks` (created here): on the threads of `threaded` where the sinks allow,
 * else on this thread. Resolves to the main pass's counts and the threads it ran on.
 */
async function runPasses(
  prepared: PreparedPipeline,
  ctx: StageContext,
  options: RunOptions,
  sinks: SinkInstance[],
  threaded: ThreadedRun | undefined,
): Promise<{ counts: PassCounts; threads: number }> {
  const prepassResults =
    prepared.passes === 1
      ? new Map<number, unknown>()
      : await (threaded?.prepass() ?? runPrepass(prepared, ctx, options));
  await removeStaleOutputs(prepared, ctx);
  const overwrite = options.overwrite ?? false;
  if (threaded && (await threaded.createSinks(overwrite, prepassResults, sinks))) {
    return { counts: await threaded.mainPass(sinks, prepassResults), threads: threaded.threads };
  }
  if (!threaded) await createSinks(prepared, ctx, overwrite, prepassResults, sinks);
  return { counts: await runMainPass(prepared, ctx, options, sinks), threads: 1 };
}

/** Closes the source; a failure to close is the outcome only when nothing failed before it. */
async function closeSource(prepared: PreparedPipeline, failed: boolean): Promise<void> {
  try {
    await prepared.source.close();
  } catch (error) {
    if (!failed) throw wrapError(error, prepared.plan.source.pointer, prepared.source.path);
  }
}

/** Removes what killed runs left of the outputs about to be written, and says so once. */
async function removeStaleOutputs(prepared: PreparedPipeline, ctx: StageContext): Promise<void> {
  const outputs = prepared.plan.sinks.flatMap((sink) => sink.stage.outputs(sink.params));
  const removed = (await Promise.all(outputs.map(removeStaleTemporaries))).flat();
  if (removed.length === 0) return;
  ctx.log(
    `removed ${removed.length} temporary file${removed.length > 1 ? 's' : ''} left by killed runs: ${removed.join(', ')}`,
  );
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Forwards an outer abort to the run's controller; returns the disposer. */
function linkSignal(outer: AbortSignal | undefined, controller: AbortController): () => void {
  if (!outer) return () => {};
  if (outer.aborted) controller.abort(outer.reason);
  const onAbort = () => controller.abort(outer.reason);
  outer.addEventListener('abort', onAbort, { once: true });
  return () => outer.removeEventListener('abort', onAbort);
}
