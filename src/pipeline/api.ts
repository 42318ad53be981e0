/**
 * The pipeline's API: validate and run a pipeline given as an object or a spec file. Checking
 * an object definition at once (`validateDefinition`) needs every stage, so this module loads
 * the registry; the runs of a spec file and of a plan (run-plan.ts) load only the stages the
 * spec names.
 */
import type { Registry } from '../core/registry.ts';
import { registry as defaultRegistry } from '../stages.ts';
import { runPlanReported } from './run-plan.ts';
import type { ApiOptions } from './run-plan.ts';
import type { RunReport } from './runner.ts';
import type { SpecDocument } from './spec-document.ts';
import { validateSpec } from './validate.ts';
import type { PipelinePlan, ValidateOptions } from './validate.ts';

export {
  checkOutputs,
  loadSpecPlan,
  preparePlan,
  runManyPlan,
  runManyPlanReported,
  runPlan,
  runPlanReported,
  runSpec,
  runSpecFiles,
  singleFilePlan,
  validateSpecFile,
} from './run-plan.ts';
export type { ApiOptions, SpecRunOptions } from './run-plan.ts';

/** A stage as a spec names it: `{ type: 'histogram', column: 'value', bins: 100 }`. */
export type StageRef = { readonly type: string } & Readonly<Record<string, unknown>>;

/** A pipeline as an object: the same shape as a YAML spec. */
export interface PipelineDefinition {
  readonly name?: string;
  /** Write a self-contained HTML report of the run to this file (as a spec's `report:`). */
  readonly report?: string;
  readonly source: StageRef;
  readonly steps?: readonly StageRef[];
  readonly sinks: readonly StageRef[];
}

/** Validates and runs a pipeline given as an object; resolves to the run's report and results. */
export async function run(definition: PipelineDefinition, options: ApiOptions = {}): Promise<RunReport> {
  return runPlanReported(validateDefinition(definition, options.registry, options), definition, options);
}

export function validateDefinition(
  definition: PipelineDefinition,
  registry?: Registry,
  options: ValidateOptions = {},
): PipelinePlan {
  const spec: SpecDocument = { path: '(api)', value: definition, locate: () => undefined };
  return validateSpec(spec, registry ?? defaultRegistry, options);
}
