import { SluiceError, wrapError } from '../core/errors.ts';
import type { Stage } from '../core/stage.ts';
import { itemSizeOf } from '../core/dtype.ts';
import type { Schema } from '../core/schema.ts';
import type { OpenSource, StageContext } from '../core/stage.ts';
import type { SinkStage, TransformStage } from '../core/stage.ts';
import { atStagePlace, ProblemList } from './spec-problems.ts';
import type { PipelinePlan, StagePlan } from './validate.ts';

/** A plan whose source header is read: schemas, look-back and passes are known. */
export interface PreparedPipeline {
  readonly plan: PipelinePlan;
  readonly source: OpenSource;
  /** The schema after each step: `schemas[0]` is the source's, the last one the sinks'. */
  readonly schemas: readonly Schema[];
  /** Rows of look-back the source must repeat at the start of each batch (docs/design.md §2). */
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
  const problems = new ProblemList();
  const { schemas, overlap, needsPrepass } = checkStages(plan, source.schema, problems);
  problems.throwIfAny();
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

/** The stages of a plan, or of a spec with problems (undefined where a stage had one). */
export interface CheckablePlan {
  readonly specPath?: string;
  readonly steps: readonly (StagePlan<TransformStage> | undefined)[];
  readonly sinks: readonly (StagePlan<SinkStage> | undefined)[];
  readonly locate?: PipelinePlan['locate'];
}

/**
 * The stages' schema-time checks on the source's schema (columns exist, params agree with
 * each other and with the input), every problem collected at its place in the spec (at the
 * param naming an unknown column: `spec.yaml:7:14`), since what is wrong is the spec, not the
 * data. After a step that fails (or has a problem of its own) nothing downstream is checked.
 */
export function checkStages(
  plan: CheckablePlan,
  sourceSchema: Schema,
  problems: ProblemList,
): { schemas: Schema[]; overlap: number; needsPrepass: boolean } {
  const schemas: Schema[] = [sourceSchema];
  let overlap = 0;
  let blocked = false;
  for (const step of plan.steps) {
    const input = schemas[schemas.length - 1];
    blocked ||=
      !step ||
      !atStage(plan, step, problems, () => {
        const history = step.stage.history?.(step.params, input) ?? 0;
        schemas.push(step.stage.schema?.(step.params, input) ?? input);
        overlap += history;
      });
    if (blocked) break;
  }
  const sinkSchema = schemas[schemas.length - 1];
  let sinkOverlap = 0;
  let needsPrepass = false;
  for (const sink of blocked ? [] : plan.sinks) {
    if (!sink) continue;
    atStage(plan, sink, problems, () => {
      sink.stage.check?.(sink.params, sinkSchema);
      sinkOverlap = Math.max(sinkOverlap, sink.stage.history?.(sink.params, sinkSchema) ?? 0);
      needsPrepass ||= sink.stage.prepare?.(sink.params, sinkSchema) !== undefined;
    });
  }
  return { schemas, overlap: overlap + sinkOverlap, needsPrepass };
}

/** Two source buffers in flight (double buffering) plus one derived copy per batch. */
function estimateBatchBytes(schema: Schema, rows: number): number {
  const rowBytes = schema.columns.reduce((sum, c) => sum + itemSizeOf(c.dtype) * c.width, 0);
  return 3 * rows * rowBytes;
}

/** Runs a stage's schema-time checks; false (and a problem at the stage's place) when one fails. */
function atStage(
  plan: CheckablePlan,
  stagePlan: StagePlan<Stage>,
  problems: ProblemList,
  check: () => void,
): boolean {
  try {
    check();
    return true;
  } catch (error) {
    const wrapped = wrapError(error, `${stagePlan.pointer} (${stagePlan.stage.name})`);
    const place =
      plan.specPath === undefined
        ? undefined
        : { path: plan.specPath, locate: plan.locate ?? (() => undefined) };
    const at = stagePlan.at ?? [stagePlan.pointer];
    problems.add(atStagePlace(wrapped, { ...stagePlan, at }, place, stagePlan.position));
    return false;
  }
}
