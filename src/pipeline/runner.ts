import { chain, none } from 'stream-chain/core';
import { newRowCount } from '../core/batch.ts';
import type { Batch } from '../core/batch.ts';
import { SluiceError, wrapError } from '../core/errors.ts';
import type { Accumulator, BatchFunction, SinkInstance, StageContext } from '../core/stage.ts';
import { removeStaleTemporaries } from '../io/atomic-file.ts';
import type { PreparedPipeline } from './prepare.ts';
import type { PassCounts, RunOptions, RunReport } from './run-types.ts';
import { runShardedPass, shardWorkers } from './sharded.ts';

export type { PassCounts, PassProgress, RunOptions, RunReport, SinkReport } from './run-types.ts';

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
  try {
    const prepassResults =
      prepared.passes > 1 ? await runPrepass(prepared, ctx, options) : new Map<number, unknown>();
    await removeStaleOutputs(prepared, ctx);
    await createSinks(prepared, ctx, options.overwrite ?? false, prepassResults, sinks);
    const workers = shardWorkers(prepared, sinks, options.workers);
    const counts =
      workers > 1
        ? await runShardedPass(prepared, prepassResults, sinks, workers, ctx, options)
        : await runMainPass(prepared, ctx, options, sinks);
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
      threads: workers,
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
    await closeSource(prepared, failed);
  }
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

/**
 * Creates the plan's sinks into `sinks` (so that a failure still aborts those created).
 * `instead` may give the sink for an index itself (a queued run's shards write rows their own
 * way); it returns undefined for the plan's.
 */
export async function createSinks(
  prepared: PreparedPipeline,
  ctx: StageContext,
  overwrite: boolean,
  prepassResults: ReadonlyMap<number, unknown>,
  sinks: SinkInstance[],
  instead: (index: number) => Promise<SinkInstance | undefined> = async () => undefined,
): Promise<void> {
  for (const [index, sink] of prepared.plan.sinks.entries()) {
    const own = await instead(index);
    if (own) {
      sinks.push(own);
      continue;
    }
    const sinkCtx = {
      ...ctx,
      schema: prepared.schemas[prepared.schemas.length - 1],
      prepared: prepassResults.get(index),
      overwrite,
      rows: prepared.sinkRows,
    };
    sinks.push(
      await callStage(`${sink.pointer} (${sink.stage.name})`, () => sink.stage.create(sink.params, sinkCtx)),
    );
  }
}

export async function runMainPass(
  prepared: PreparedPipeline,
  ctx: StageContext,
  options: RunOptions,
  sinks: SinkInstance[],
): Promise<PassCounts> {
  const counts: PassCounts = { rowsRead: 0, bytesRead: 0, sinkRows: 0 };
  const pending: Promise<void>[] = [];
  for await (const batch of flow(prepared, ctx, options, prepared.passes, counts)) {
    counts.sinkRows += newRowCount(batch);
    pending.length = 0;
    sinks.forEach((sink, i) => {
      const name = prepared.plan.sinks[i].pointer;
      try {
        const written = sink.write(batch);
        if (written) pending.push(written.catch((error: unknown) => Promise.reject(wrapError(error, name))));
      } catch (error) {
        throw wrapError(error, name);
      }
    });
    if (pending.length) await Promise.all(pending);
  }
  return counts;
}

/** Runs the accumulators the sinks asked for over the whole input; results by sink index. */
async function runPrepass(
  prepared: PreparedPipeline,
  ctx: StageContext,
  options: RunOptions,
): Promise<Map<number, unknown>> {
  const accumulators = prepassAccumulators(prepared);
  await runPrepassPass(prepared, ctx, options, accumulators);
  return new Map([...accumulators].map(([index, accumulator]) => [index, accumulator.result()]));
}

/** A fresh accumulator for each sink that asks for a pass before the main one, by sink index. */
export function prepassAccumulators(prepared: PreparedPipeline): Map<number, Accumulator<unknown>> {
  const schema = prepared.schemas[prepared.schemas.length - 1];
  const accumulators = new Map<number, Accumulator<unknown>>();
  prepared.plan.sinks.forEach((sink, index) => {
    const accumulator = sink.stage.prepare?.(sink.params, schema);
    if (accumulator) accumulators.set(index, accumulator);
  });
  return accumulators;
}

/** The pass before the main one over the prepared row range, into `accumulators`. */
export async function runPrepassPass(
  prepared: PreparedPipeline,
  ctx: StageContext,
  options: RunOptions,
  accumulators: ReadonlyMap<number, Accumulator<unknown>>,
): Promise<PassCounts> {
  const counts: PassCounts = { rowsRead: 0, bytesRead: 0, sinkRows: 0 };
  for await (const batch of flow(prepared, ctx, options, 1, counts)) {
    counts.sinkRows += newRowCount(batch);
    for (const accumulator of accumulators.values()) accumulator.add(batch);
  }
  return counts;
}

/** The source's batches through every step, pulled one at a time. */
function flow(
  prepared: PreparedPipeline,
  ctx: StageContext,
  options: RunOptions,
  pass: number,
  counts: PassCounts,
): AsyncGenerator<Batch, void, unknown> {
  const { source, plan } = prepared;
  const steps = plan.steps.map((step, i) => {
    const name = `${step.pointer} (${step.stage.name})`;
    let fn: ReturnType<typeof step.stage.create>;
    try {
      fn = step.stage.create(step.params, { ...ctx, schema: prepared.schemas[i], reuseBuffers: true });
    } catch (error) {
      throw wrapError(error, name);
    }
    return dropNulls(fn, name);
  });
  const batches = wrapErrors(
    source.batches({
      overlap: prepared.overlap,
      reuseBuffers: true,
      signal: ctx.signal,
      onProgress: (progress) => {
        counts.rowsRead = progress.rows;
        counts.bytesRead = progress.bytes;
        options.onProgress?.({
          ...progress,
          pass,
          passes: prepared.passes,
          totalRows: source.rows,
          totalBytes: source.bytes,
        });
      },
    }),
    `${plan.source.pointer} (${plan.source.stage.name})`,
    source.path,
  );
  return steps.length ? (chain(steps)(batches) as AsyncGenerator<Batch, void, unknown>) : batches;
}

async function* wrapErrors(batches: AsyncGenerator<Batch, void, undefined>, name: string, path: string) {
  try {
    yield* batches;
  } catch (error) {
    throw wrapError(error, name, path);
  }
}

/** stream-chain passes `null` on to the next stage; a stage returning null means "no batch". */
function dropNulls(fn: BatchFunction, name: string): (batch: Batch) => unknown {
  const orNone = (result: Batch | null) => result ?? none;
  return (batch) => {
    try {
      const result = fn(batch);
      if (result === null) return none;
      if (result instanceof Promise)
        return result.then(orNone, (error) => Promise.reject(wrapError(error, name)));
      return result;
    } catch (error) {
      throw wrapError(error, name);
    }
  };
}

export function checkRowCounts(prepared: PreparedPipeline, rowsRead: number, sinkRows: number): void {
  const expected = prepared.source.rows;
  const sinksMustMatch = prepared.sinkRows !== undefined;
  if (rowsRead === expected && (!sinksMustMatch || sinkRows === rowsRead)) return;
  throw new SluiceError('ROWS_MISMATCH', `read ${rowsRead} rows of ${expected}; sinks received ${sinkRows}`, {
    path: prepared.source.path,
    hint: 'The file changed while it was read, or this is a bug: please report it.',
  });
}

async function callStage<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw wrapError(error, name);
  }
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
