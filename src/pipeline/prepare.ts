import { SluiceError, wrapError } from '../core/errors.ts';
import { itemSizeOf } from '../core/dtype.ts';
import type { Schema } from '../core/schema.ts';
import type { OpenSource, StageContext } from '../core/stage.ts';
import type { StageFacts } from './stage-walk.ts';
import { walkStages } from './stage-walk.ts';
import type { PipelinePlan } from './validate.ts';

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
    return await derive(plan, source);
  } catch (error) {
    await source.close();
    throw error;
  }
}

async function derive(plan: PipelinePlan, source: OpenSource): Promise<PreparedPipeline> {
  const { schemas, overlap, needsPrepass } = await checkedStages(plan, source.schema);
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

/**
 * The stages' facts, their checks run as they pass; when one fails, every problem, each at its
 * place in the spec (`spec.yaml:7:14`), by stage-checks.ts, loaded only then: it brings the
 * spec machinery (YAML), which a worker thread's start-up does without.
 */
async function checkedStages(plan: PipelinePlan, sourceSchema: Schema): Promise<StageFacts> {
  try {
    return walkStages(plan, sourceSchema, (_, check) => (check(), true));
  } catch {
    const { checkStages } = await import('./stage-checks.ts');
    const { ProblemList } = await import('./spec-problems.ts');
    const problems = new ProblemList();
    const facts = checkStages(plan, sourceSchema, problems);
    problems.throwIfAny();
    return facts;
  }
}

/** Two source buffers in flight (double buffering) plus one derived copy per batch. */
function estimateBatchBytes(schema: Schema, rows: number): number {
  const rowBytes = schema.columns.reduce((sum, c) => sum + itemSizeOf(c.dtype) * c.width, 0);
  return 3 * rows * rowBytes;
}
