/**
 * Runs of a spec file and of a validated plan, which need only the stages the spec names: the
 * API's functions that load no registry (api.ts re-exports them). `sluice run`, `validate`
 * and `plan` import this module, not api.ts, so their start-up loads only those stages
 * (stage-modules.ts), not every stage sluice ships.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SluiceError } from '../core/errors.ts';
import type { Registry } from '../core/registry.ts';
import type { StageContext } from '../core/stage.ts';
import { confinePlan, resolveRoot } from './confine.ts';
import { planForFile, runMany } from './many.ts';
import type { FileOutcome, ManyOptions, ManyReport } from './many.ts';
import { preparePipeline } from './prepare.ts';
import type { PreparedPipeline } from './prepare.ts';
import type * as RunReportModule from './run-report.ts';
import { executePipeline } from './runner.ts';
import type { RunOptions, RunReport } from './runner.ts';
import { loadSpecFile } from './spec-document.ts';
import type { LoadSpecOptions } from './spec-document.ts';
import { registryFor, validateSpec } from './validate.ts';
import type { PipelinePlan } from './validate.ts';

export interface ApiOptions extends RunOptions {
  readonly registry?: Registry;
  /**
   * Write a self-contained HTML report of the run here (instead of the spec's `report:`),
   * checked before the run like an output: refused if it exists unless `overwrite`.
   */
  readonly report?: string;
}

export type SpecRunOptions = ApiOptions & LoadSpecOptions;

/**
 * Loads a YAML/JSON spec file (with `${VAR}` interpolation and `set` overrides) and runs it,
 * writing the report its `report:` (or `options.report`) names.
 */
export async function runSpec(path: string, options: SpecRunOptions = {}): Promise<RunReport> {
  const { plan, spec } = await loadSpecPlan(path, options);
  return runPlanReported(plan, spec, options);
}

export async function validateSpecFile(path: string, options: SpecRunOptions = {}): Promise<PipelinePlan> {
  return (await loadSpecPlan(path, options)).plan;
}

/** A spec file's plan, and the spec as written (for its report). */
export async function loadSpecPlan(
  path: string,
  options: SpecRunOptions = {},
): Promise<{ plan: PipelinePlan; spec: unknown }> {
  const spec = await loadSpecFile(path, options);
  return {
    plan: validateSpec(spec, options.registry ?? (await registryFor(spec)), options),
    spec: spec.value,
  };
}

/**
 * `runOne` (local `runPlan` by default), and the plan's report (its `report:`, or
 * `options.report`) written after it.
 */
export function runPlanReported<O extends ApiOptions>(
  plan: PipelinePlan,
  spec: unknown,
  options: O,
  runOne: (plan: PipelinePlan, options: O) => Promise<RunReport> = runPlan,
): Promise<RunReport> {
  return reported(plan, spec, options, runOne, (module) => module.oneFile);
}

/** The same for a run over many files (`runManyPlan` by default). */
export function runManyPlanReported<O extends ApiOptions & ManyOptions>(
  plan: PipelinePlan,
  spec: unknown,
  options: O,
  runAll: (plan: PipelinePlan, options: O) => Promise<ManyReport> = runManyPlan,
): Promise<ManyReport> {
  return reported(plan, spec, options, runAll, (module) => module.manyFiles);
}

async function reported<O extends ApiOptions, R>(
  plan: PipelinePlan,
  spec: unknown,
  options: O,
  runIt: (plan: PipelinePlan, options: O) => Promise<R>,
  outcomes: (module: typeof RunReportModule) => (result: R) => readonly FileOutcome[] | undefined,
): Promise<R> {
  const path = options.report ?? plan.report;
  if (path === undefined) return runIt(plan, options);
  // The report's renderer is loaded only for a run that writes one.
  const module = await import('./run-report.ts');
  return module.runWithReport(path, plan, spec, options, (o) => runIt(plan, o), outcomes(module));
}

/** Opens the source header and works out overlap, passes and memory, without reading data. */
export async function preparePlan(plan: PipelinePlan, options: RunOptions = {}): Promise<PreparedPipeline> {
  const ctx: StageContext = {
    signal: options.signal ?? new AbortController().signal,
    log: options.log ?? (() => {}),
  };
  return preparePipeline(plan, ctx);
}

/** Runs a plan over its one input file (`{stem}` and friends filled in from it). */
export async function runPlan(plan: PipelinePlan, options: RunOptions = {}): Promise<RunReport> {
  const filePlan = singleFilePlan(plan, options);
  checkOutputs(filePlan, options.overwrite ?? false);
  return executePipeline(await preparePlan(filePlan, options), options);
}

/**
 * The plan for its one input file (`{stem}` and friends filled in from it), confined to
 * `options.root` when given; USAGE for a plan over several files.
 */
export function singleFilePlan(plan: PipelinePlan, options: Pick<RunOptions, 'root'> = {}): PipelinePlan {
  if (plan.inputs.many) {
    throw new SluiceError(
      'USAGE',
      `the source names ${plan.inputs.files.length} files; run them with runManyPlan`,
      {
        hint: 'runSpecFiles / runManyPlan run a spec once per input file.',
      },
    );
  }
  const filePlan = plan.inputs.files.length === 1 ? planForFile(plan, plan.inputs.files[0]) : plan;
  if (options.root !== undefined) {
    // Again for a plan validated without the root, or whose params were changed since.
    confinePlan(resolveRoot(options.root), filePlan, {
      path: plan.specPath ?? '(api)',
      locate: () => undefined,
    });
  }
  return filePlan;
}

/** Runs a plan once per input file (a single file is a run over one). */
export function runManyPlan(plan: PipelinePlan, options: ManyOptions = {}): Promise<ManyReport> {
  return runMany(plan, (filePlan, runOptions) => runPlan(filePlan, runOptions), options);
}

/** Loads a spec and runs it once per input file its source names, writing its report if it names one. */
export async function runSpecFiles(
  path: string,
  options: SpecRunOptions & ManyOptions = {},
): Promise<ManyReport> {
  const { plan, spec } = await loadSpecPlan(path, options);
  return runManyPlanReported(plan, spec, options);
}

/**
 * Fails before any work when an output exists (unless overwriting) or cannot be written, so
 * a long run, or its pre-pass, is not wasted.
 */
export function checkOutputs(plan: PipelinePlan, overwrite: boolean): void {
  for (const sink of plan.sinks) {
    for (const out of sink.stage.outputs(sink.params)) {
      if (!overwrite && existsSync(out)) {
        throw new SluiceError('OUTPUT_EXISTS', `${sink.pointer}: output exists: ${out}`, {
          path: out,
          hint: 'Delete it, choose another `out`, or run with --overwrite.',
        });
      }
      checkWritableDirectory(out, sink.pointer);
    }
  }
}

/** The nearest existing directory above `out` must be writable: the rest is created then. */
function checkWritableDirectory(out: string, pointer: string): void {
  let dir = dirname(resolve(out));
  while (!existsSync(dir)) dir = dirname(dir);
  const writable = statSync(dir).isDirectory() && isWritable(dir);
  if (writable) return;
  throw new SluiceError('IO_WRITE', `${pointer}: cannot write ${out}: ${dir} is not a writable directory`, {
    path: out,
    hint: 'Choose an `out` in a directory you can write to.',
  });
}

function isWritable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
