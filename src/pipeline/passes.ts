/**
 * One pass over a prepared pipeline's row range, on the calling thread: the source's batches
 * through every step into the sinks (the main pass) or into the pre-pass accumulators. The
 * runner runs them over the whole range, a thread or a queued shard over its piece of it.
 */
import { chain, none } from 'stream-chain/core';
import { newRowCount } from '../core/batch.ts';
import type { Batch } from '../core/batch.ts';
import { SluiceError, wrapError } from '../core/errors.ts';
import type { Accumulator, BatchFunction, SinkInstance, StageContext } from '../core/stage.ts';
import type { PreparedPipeline } from './prepare.ts';
import type { PassCounts, RunOptions } from './run-types.ts';

/**
 * Creates the plan's sinks into `sinks` (so that a failure still aborts those created).
 * `instead` may give the sink for an index itself (a queued run's shards write rows their own
 * way, a thread's pieces fill outputs in place); it returns undefined for the plan's.
 */
export async function createSinks(
  prepared: PreparedPipeline,
  ctx: StageContext,
  overwrite: boolean,
  prepassResults: ReadonlyMap<number, unknown>,
  sinks: SinkInstance[],
  instead: (index: number) => Promise<SinkInstance | undefined> = async () => undefined,
): Promise<void> {
  for (let index = 0; index < prepared.plan.sinks.length; index++) {
    const own = await instead(index);
    if (own) {
      sinks.push(own);
      continue;
    }
    sinks.push(await createSink(prepared, ctx, overwrite, prepassResults.get(index), index));
  }
}

/** Creates the plan's sink `index`, with its pre-pass result (if it asked for one). */
export function createSink(
  prepared: PreparedPipeline,
  ctx: StageContext,
  overwrite: boolean,
  prepassResult: unknown,
  index: number,
): Promise<SinkInstance> {
  const sink = prepared.plan.sinks[index];
  const sinkCtx = {
    ...ctx,
    schema: prepared.schemas[prepared.schemas.length - 1],
    prepared: prepassResult,
    overwrite,
    rows: prepared.sinkRows,
  };
  return callStage(`${sink.pointer} (${sink.stage.name})`, () => sink.stage.create(sink.params, sinkCtx));
}

/**
 * The steps' batch functions by step index, kept by a thread that runs several pieces of one
 * run: no stage carries state from one batch to the next (docs/design.md §2), so they serve
 * every piece, and a costly `create` (reflectron's mesh) is paid once per thread.
 */
export type StepFunctions = Map<number, (batch: Batch) => unknown>;

export async function runMainPass(
  prepared: PreparedPipeline,
  ctx: StageContext,
  options: RunOptions,
  sinks: SinkInstance[],
  steps?: StepFunctions,
): Promise<PassCounts> {
  const counts: PassCounts = { rowsRead: 0, bytesRead: 0, sinkRows: 0 };
  const pending: Promise<void>[] = [];
  for await (const batch of flow(prepared, ctx, options, prepared.passes, counts, steps)) {
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
export async function runPrepass(
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
  steps?: StepFunctions,
): Promise<PassCounts> {
  const counts: PassCounts = { rowsRead: 0, bytesRead: 0, sinkRows: 0 };
  for await (const batch of flow(prepared, ctx, options, 1, counts, steps)) {
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
  cache?: StepFunctions,
): AsyncGenerator<Batch, void, unknown> {
  const { source, plan } = prepared;
  const steps = plan.steps.map((step, i) => {
    const cached = cache?.get(i);
    if (cached) return cached;
    const name = `${step.pointer} (${step.stage.name})`;
    let fn: ReturnType<typeof step.stage.create>;
    try {
      fn = step.stage.create(step.params, { ...ctx, schema: prepared.schemas[i], reuseBuffers: true });
    } catch (error) {
      throw wrapError(error, name);
    }
    const wrapped = dropNulls(fn, name);
    cache?.set(i, wrapped);
    return wrapped;
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

export async function callStage<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw wrapError(error, name);
  }
}
