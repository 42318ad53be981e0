import { existsSync } from 'node:fs';
import type { SluiceError } from '../core/errors.ts';
import { isSluiceError, wrapError } from '../core/errors.ts';
import { fillTemplates, templateValues } from './inputs.ts';
import type { RunOptions, RunReport } from './runner.ts';
import type { PipelinePlan } from './validate.ts';

export type FileStatus = 'ok' | 'skipped' | 'failed' | 'planned';

/** What happened to one input file of a run over many. */
export interface FileOutcome {
  readonly input: string;
  readonly status: FileStatus;
  readonly outputs: readonly string[];
  readonly report?: RunReport;
  readonly error?: SluiceError;
}

export interface ManyReport {
  readonly files: readonly FileOutcome[];
  readonly seconds: number;
  readonly counts: Readonly<Record<FileStatus, number>>;
}

export interface ManyOptions extends RunOptions {
  /** List what would run and write nothing. */
  readonly dryRun?: boolean;
  /** Stop at the first failed file instead of going on with the others. */
  readonly failFast?: boolean;
  /** Told each file's outcome as soon as it is known. */
  readonly onFile?: (outcome: FileOutcome, index: number, total: number) => void;
}

/** The plan for one input file: the source reads it, `{stem}`/`{name}`/`{dir}` name its outputs. */
export function planForFile(plan: PipelinePlan, file: string): PipelinePlan {
  const values = templateValues(file);
  return {
    ...plan,
    inputs: { files: [file], many: false },
    source: { ...plan.source, params: { ...plan.source.params, path: file } },
    sinks: plan.sinks.map((sink) => ({ ...sink, params: fillTemplates(sink.params, values) })),
  };
}

/**
 * Runs the plan once per input file, in order. A file whose outputs all exist is skipped
 * (unless overwriting); a file that fails is reported and the others still run, unless
 * `failFast`.
 */
export async function runMany(
  plan: PipelinePlan,
  runOne: (plan: PipelinePlan, options: RunOptions) => Promise<RunReport>,
  options: ManyOptions = {},
): Promise<ManyReport> {
  const startedAt = performance.now();
  const files: FileOutcome[] = [];
  const total = plan.inputs.files.length;
  for (const input of plan.inputs.files) {
    options.signal?.throwIfAborted();
    const outcome = await runFile(planForFile(plan, input), input, runOne, options);
    files.push(outcome);
    options.onFile?.(outcome, files.length - 1, total);
    if (outcome.status === 'failed' && (options.failFast || outcome.error?.code === 'ABORTED')) break;
  }
  const counts = { ok: 0, skipped: 0, failed: 0, planned: 0 };
  for (const file of files) counts[file.status]++;
  return { files, seconds: (performance.now() - startedAt) / 1000, counts };
}

async function runFile(
  filePlan: PipelinePlan,
  input: string,
  runOne: (plan: PipelinePlan, options: RunOptions) => Promise<RunReport>,
  options: ManyOptions,
): Promise<FileOutcome> {
  const outputs = filePlan.sinks.flatMap((sink) => sink.stage.outputs(sink.params));
  if (!options.overwrite && outputs.length > 0 && outputs.every((out) => existsSync(out))) {
    return { input, status: 'skipped', outputs };
  }
  if (options.dryRun) return { input, status: 'planned', outputs };
  try {
    return { input, status: 'ok', outputs, report: await runOne(filePlan, options) };
  } catch (error) {
    const failure = isSluiceError(error) ? error : wrapError(error, input, input);
    return { input, status: 'failed', outputs, error: failure };
  }
}
