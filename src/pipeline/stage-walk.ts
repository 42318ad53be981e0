/**
 * The walk over a plan's stages that works out the schema after each step, the look-back and
 * whether a pre-pass is needed, running each stage's schema-time checks (columns exist, params
 * agree with each other and with the input) as it goes. How a failed check is handled is the
 * caller's: a run lets it throw (prepare.ts), validation collects problems (stage-checks.ts).
 */
import type { Schema } from '../core/schema.ts';
import type { SinkStage, Stage, TransformStage } from '../core/stage.ts';
import type { PipelinePlan, StagePlan } from './validate.ts';

/** The stages of a plan, or of a spec with problems (undefined where a stage had one). */
export interface CheckablePlan {
  readonly specPath?: string;
  readonly steps: readonly (StagePlan<TransformStage> | undefined)[];
  readonly sinks: readonly (StagePlan<SinkStage> | undefined)[];
  readonly locate?: PipelinePlan['locate'];
}

/** What the stages' schema-time checks give: each step's output schema, look-back, pre-pass. */
export interface StageFacts {
  readonly schemas: Schema[];
  readonly overlap: number;
  readonly needsPrepass: boolean;
}

/**
 * Runs `check` for a stage: true when it passed. `checkStages` (stage-checks.ts) collects what
 * fails as problems at the stage's place in the spec; a run lets it throw (prepare.ts), and only
 * then collects the problems.
 */
export type StageCheck = (stage: StagePlan<Stage>, check: () => void) => boolean;

/**
 * The stages' schema-time checks on the source's schema (columns exist, params agree with
 * each other and with the input). After a step that fails (or has a problem of its own)
 * nothing downstream is checked.
 */
export function walkStages(plan: CheckablePlan, sourceSchema: Schema, atStage: StageCheck): StageFacts {
  const schemas: Schema[] = [sourceSchema];
  let overlap = 0;
  let blocked = false;
  for (const step of plan.steps) {
    const input = schemas[schemas.length - 1];
    blocked ||=
      !step ||
      !atStage(step, () => {
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
    atStage(sink, () => {
      sink.stage.check?.(sink.params, sinkSchema);
      sinkOverlap = Math.max(sinkOverlap, sink.stage.history?.(sink.params, sinkSchema) ?? 0);
      needsPrepass ||= sink.stage.prepare?.(sink.params, sinkSchema) !== undefined;
    });
  }
  return { schemas, overlap: overlap + sinkOverlap, needsPrepass };
}
