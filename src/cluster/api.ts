/**
 * The TypeScript API with `queue`: `run(def, { queue: 'redis://…' })` submits the run to the
 * queue's workers exactly as `sluice run --queue` does; without `queue` these are the local
 * runs of pipeline/. The package exports these (src/index.ts), the one place above both
 * the pipeline and the cluster (src/README.md: the pipeline never imports the cluster).
 */
import type { Registry } from '../core/registry.ts';
import { run as runTyped } from '../pipeline/definitions.ts';
import type {
  ExactDefinition,
  PipelineDefinition as TypedDefinition,
  TypedRunReport,
} from '../pipeline/definitions.ts';
import type { ManyOptions, ManyReport } from '../pipeline/many.ts';
import { runMany } from '../pipeline/many.ts';
import * as local from '../pipeline/api.ts';
import type { ApiOptions, PipelineDefinition, SpecRunOptions } from '../pipeline/api.ts';
import type { RunReport } from '../pipeline/run-types.ts';
import type { PipelinePlan } from '../pipeline/validate.ts';
import type * as QueuedRun from './queued-run.ts';
import type { QueueOptions } from './queued-run.ts';

/** The queue client (bullmq, ioredis) is loaded only by a run that goes to a queue. */
async function runPlanOnQueue(...args: Parameters<typeof QueuedRun.runPlanOnQueue>): Promise<RunReport> {
  return (await import('./queued-run.ts')).runPlanOnQueue(...args);
}

/** The local options, and with `queue` the run goes to the queue's workers. */
export type QueueApiOptions = ApiOptions & Partial<QueueOptions>;

/**
 * Validates and runs a pipeline given as an object, on the queue when `options.queue` is set;
 * typed as the local `run` (pipeline/definitions.ts): each sink's result from its definition.
 */
export function run<const D extends TypedDefinition>(
  definition: D & ExactDefinition<D>,
  options?: QueueApiOptions,
): Promise<TypedRunReport<D>>;
export function run(
  definition: PipelineDefinition,
  options: QueueApiOptions & { readonly registry: Registry },
): Promise<RunReport>;
export function run(definition: PipelineDefinition, options: QueueApiOptions = {}): Promise<never> {
  const { queue } = options;
  // The overloads type the report; at run time it is the untyped run's.
  if (queue === undefined) return runTyped(definition as never, options as never) as Promise<never>;
  const plan = local.validateDefinition(definition, options.registry, options);
  return local.runPlanReported(plan, definition, { ...options, queue }, runPlanOnQueue) as Promise<never>;
}

/** Loads a spec file and runs it, on the queue when `options.queue` is set. */
export async function runSpec(
  path: string,
  options: QueueApiOptions & SpecRunOptions = {},
): Promise<RunReport> {
  const { plan, spec } = await local.loadSpecPlan(path, options);
  return local.runPlanReported(plan, spec, options, runPlan);
}

/** Runs a plan over its one input file, on the queue when `options.queue` is set. */
export function runPlan(plan: PipelinePlan, options: QueueApiOptions = {}): Promise<RunReport> {
  const { queue } = options;
  return queue === undefined ? local.runPlan(plan, options) : runPlanOnQueue(plan, { ...options, queue });
}

/** Runs a plan once per input file, each on the queue when `options.queue` is set. */
export function runManyPlan(
  plan: PipelinePlan,
  options: QueueApiOptions & ManyOptions = {},
): Promise<ManyReport> {
  return runMany(plan, (filePlan) => runPlan(filePlan, options), options);
}

/** Loads a spec and runs it once per input file, on the queue when `options.queue` is set. */
export async function runSpecFiles(
  path: string,
  options: QueueApiOptions & SpecRunOptions & ManyOptions = {},
): Promise<ManyReport> {
  const { plan, spec } = await local.loadSpecPlan(path, options);
  return local.runManyPlanReported(plan, spec, options, runManyPlan);
}
