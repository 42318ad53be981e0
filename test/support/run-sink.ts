/**
 * Runs a sink stage the way the planner and runner do: params parsed from their YAML shape
 * by the stage's own schema, `check` against the schema, the `prepare` pass over the same
 * batches, then `create`, `write` per batch and `finish`.
 */
import type { Batch } from '../../src/core/batch.ts';
import type { Schema } from '../../src/core/schema.ts';
import type { SinkContext, SinkInstance, SinkStage } from '../../src/core/stage.ts';

export interface RunSinkOptions {
  readonly overwrite?: boolean;
  readonly signal?: AbortSignal;
  /** The rows the sink will receive, as the runner passes it when every step keeps rows. */
  readonly rows?: number;
}

/** A SinkContext for tests; `prepared` as the runner's pre-pass would pass it. */
export function sinkContext(
  schema: Schema,
  options: RunSinkOptions & { prepared?: unknown } = {},
): SinkContext {
  return {
    schema,
    signal: options.signal ?? new AbortController().signal,
    log: () => {},
    overwrite: options.overwrite ?? false,
    prepared: options.prepared,
    rows: options.rows,
  };
}

/** check + prepare pass + create: the sink ready for batches. */
export async function openSink(
  stage: SinkStage,
  yamlParams: unknown,
  schema: Schema,
  batches: readonly Batch[],
  options: RunSinkOptions = {},
): Promise<SinkInstance> {
  const params = stage.params.parse(yamlParams);
  stage.check?.(params, schema);
  const pre = stage.prepare?.(params, schema);
  if (pre) for (const batch of batches) pre.add(batch);
  return stage.create(params, sinkContext(schema, { ...options, prepared: pre?.result() }));
}

/** Runs the sink over `batches` and returns what `finish` returns. */
export async function runSink(
  stage: SinkStage,
  yamlParams: unknown,
  schema: Schema,
  batches: readonly Batch[],
  options: RunSinkOptions = {},
): Promise<unknown> {
  const sink = await openSink(stage, yamlParams, schema, batches, options);
  try {
    for (const batch of batches) await sink.write(batch);
    return await sink.finish();
  } catch (error) {
    await sink.abort();
    throw error;
  }
}
