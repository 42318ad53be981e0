import { SluiceError, wrapError } from '../core/errors.ts';
import type { Stage } from '../core/stage.ts';
import { itemSizeOf } from '../core/dtype.ts';
import type { Schema } from '../core/schema.ts';
import type { OpenSource, StageContext } from '../core/stage.ts';
import type { PipelinePlan, StagePlan } from './validate.ts';

/** A plan whose source header is read: schemas, look-back and passes are known. */
export interface PreparedPipeline {
  readonly plan: PipelinePlan;
  readonly source: OpenSource;
  /** The schema after each step: `schemas[0]` is the source's, the last one the sinks'. */
  readonly schemas: readonly Schema[];
  /** Rows of look-back the source must repeat at the start of each batch (DESIGN.md §2). */
  readonly overlap: number;
  /** Passes over the source: 1, plus 1 when a sink asks for a fact of the whole input first. */
  readonly passes: number;
  /** The rows the sinks will receive in all, when every step keeps rows; else undefined. */
  readonly sinkRows: number | undefined;
  /** A rough ceiling on the memory batches take at once. */
  readonly estimatedBatchBytes: number;
}

/** Opens the source (its header only) and derives everything the run needs. */
export async function preparePipeline(plan: PipelinePlan, ctx: StageContext): Promise<PreparedPipeline> {
  const { stage, params, pointer } = plan.source;
  let source: OpenSource;
  try {
    source = await stage.create(params, ctx);
  } catch (error) {
    throw wrapError(error, `${pointer} (${stage.name})`);
  }
  try {
    return derive(plan, source);
  } catch (error) {
    await source.close();
    throw error;
  }
}

function derive(plan: PipelinePlan, source: OpenSource): PreparedPipeline {
  const schemas: Schema[] = [source.schema];
  let overlap = 0;
  for (const step of plan.steps) {
    const input = schemas[schemas.length - 1];
    atStage(plan, step, () => {
      overlap += step.stage.history?.(step.params, input) ?? 0;
      schemas.push(step.stage.schema?.(step.params, input) ?? input);
    });
  }
  const sinkSchema = schemas[schemas.length - 1];
  let sinkOverlap = 0;
  let needsPrepass = false;
  for (const sink of plan.sinks) {
    atStage(plan, sink, () => {
      sink.stage.check?.(sink.params, sinkSchema);
      sinkOverlap = Math.max(sinkOverlap, sink.stage.history?.(sink.params, sinkSchema) ?? 0);
      needsPrepass ||= sink.stage.prepare?.(sink.params, sinkSchema) !== undefined;
    });
  }
  overlap += sinkOverlap;
  if (!Number.isSafeInteger(overlap) || overlap < 0) {
    throw new SluiceError('SPEC_INVALID', `stages ask for an impossible look-back (${overlap} rows)`);
  }
  const chunkRows = Number(plan.source.params.chunkRows ?? 1 << 20);
  return {
    plan,
    source,
    schemas,
    overlap,
    passes: needsPrepass ? 2 : 1,
    sinkRows: plan.steps.every((step) => step.stage.keepsRows) ? source.rows : undefined,
    estimatedBatchBytes: estimateBatchBytes(source.schema, chunkRows + overlap),
  };
}

/** Two source buffers in flight (double buffering) plus one derived copy per batch. */
function estimateBatchBytes(schema: Schema, rows: number): number {
  const rowBytes = schema.columns.reduce((sum, c) => sum + itemSizeOf(c.dtype) * c.width, 0);
  return 3 * rows * rowBytes;
}

/**
 * Runs a stage's schema-time checks; an error they raise is reported at the stage's place in
 * the spec (`spec.yaml:7:5`), since what is wrong is the spec, not the data.
 */
function atStage(plan: PipelinePlan, stagePlan: StagePlan<Stage>, check: () => void): void {
  try {
    check();
  } catch (error) {
    const wrapped = wrapError(error, `${stagePlan.pointer} (${stagePlan.stage.name})`);
    if (wrapped.path !== undefined) throw wrapped;
    throw new SluiceError(wrapped.code, `${stagePlan.pointer}: ${wrapped.message}`, {
      path: plan.specPath,
      ...stagePlan.position,
      hint: wrapped.hint,
      cause: wrapped.cause ?? error,
    });
  }
}
