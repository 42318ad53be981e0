/**
 * sluice's TypeScript API: everything a YAML spec can do.
 *
 *   const report = await run({
 *     source: npy({ path: 'signal.npy', sampleRate: 1e6 }),
 *     sinks: [stats({}), histogram({ column: 'value', bins: 200 })],
 *   });
 */
import type { z } from 'zod';
import type { Stage } from './core/stage.ts';
import type { StageRef } from './pipeline/api.ts';
import npyStage from './sources/npy.ts';
import rawStage from './sources/raw.ts';
import histogramStage from './sinks/histogram.ts';
import statsStage from './sinks/stats.ts';

export * from './core/batch.ts';
export * from './core/dtype.ts';
export * from './core/schema.ts';
export * from './core/errors.ts';
export * from './core/stage.ts';
export { Registry } from './core/registry.ts';
export { describeStage, renderStagesMarkdown } from './core/describe.ts';
export type { StageDoc, ParamDoc } from './core/describe.ts';
export { registry, allStages } from './stages.ts';
export {
  run,
  runSpec,
  runPlan,
  runManyPlan,
  runSpecFiles,
  validateSpecFile,
  validateDefinition,
  preparePlan,
} from './pipeline/api.ts';
export type { FileOutcome, ManyReport, ManyOptions } from './pipeline/many.ts';
export type { PipelineDefinition, StageRef, ApiOptions, SpecRunOptions } from './pipeline/api.ts';
export type { RunReport, SinkReport, RunOptions, PassProgress } from './pipeline/runner.ts';
export { inspectFile } from './pipeline/inspect.ts';
export type { InspectReport, InspectOptions } from './pipeline/inspect.ts';
export { openMappedFile } from './io/open.ts';
export type { MappedFile, FileBytes, IoBackend, IoChoice } from './io/mapped-file.ts';

/** Makes `npy({...})`-style helpers: params typed from the stage's schema, defaults applied later. */
export function stageRef<S extends z.ZodType>(stage: Stage & { params: S }) {
  return (params: z.input<S>): StageRef => ({ type: stage.name, ...(params as Record<string, unknown>) });
}

export const npy = stageRef(npyStage);
export const raw = stageRef(rawStage);
export const stats = stageRef(statsStage);
export const histogram = stageRef(histogramStage);
