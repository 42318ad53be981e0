/**
 * The stages' schema-time checks with every problem collected at its place in the spec (at the
 * param naming an unknown column: `spec.yaml:7:14`), since what is wrong is the spec, not the
 * data: for validation (spec-check.ts) and for a run whose checks failed (prepare.ts).
 */
import { wrapError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import type { Stage } from '../core/stage.ts';
import type { CheckablePlan, StageFacts } from './stage-walk.ts';
import { walkStages } from './stage-walk.ts';
import { atStagePlace } from './spec-problems.ts';
import type { ProblemList } from './spec-problems.ts';
import type { StagePlan } from './validate.ts';

/** Runs the checks; a stage that fails (or has a problem of its own) blocks those after it. */
export function checkStages(plan: CheckablePlan, sourceSchema: Schema, problems: ProblemList): StageFacts {
  return walkStages(plan, sourceSchema, (stage, check) => atStage(plan, stage, problems, check));
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
