/**
 * A run's HTML report (`sluice run --report FILE`, the spec's `report:`, the API's `report`):
 * checked before the run like any output, and written after it from the plan, the spec as run
 * and each file's outcome, with what the run logged (src/report/ renders it). Loaded only by a
 * run that writes one: the renderer is not part of every run's start-up.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SluiceError } from '../core/errors.ts';
import { packageVersion, peakRssBytes } from '../core/runtime-info.ts';
import type { ReportFile } from '../report/report-types.ts';
import { writeReport } from '../report/write-report.ts';
import { isInside, realLocation, resolveRoot } from './confine.ts';
import type { FileOutcome, ManyReport } from './many.ts';
import type { RunOptions, RunReport } from './runner.ts';
import type { PipelinePlan } from './validate.ts';

/**
 * Refuses, before anything runs, a report that is a sink's output, leaves --root, or exists
 * (unless overwriting). A run over many files replaces its report: a rerun skips the files done
 * before and reports them as skipped, so refusing would force --overwrite, which redoes them.
 */
export function checkReportPath(
  path: string,
  plan: PipelinePlan,
  options: { readonly overwrite?: boolean; readonly root?: string },
): void {
  if (!options.overwrite && !plan.inputs.many && existsSync(path)) {
    throw new SluiceError('OUTPUT_EXISTS', `report exists: ${path}`, {
      path,
      hint: 'Delete it, choose another --report, or run with --overwrite.',
    });
  }
  const outputs = plan.sinks.flatMap((sink) => sink.stage.outputs(sink.params));
  if (outputs.some((out) => resolve(out) === resolve(path))) {
    throw new SluiceError('USAGE', `the report ${path} is also a sink's output`, {
      hint: 'Name the report a file no sink writes.',
    });
  }
  if (options.root === undefined) return;
  const root = resolveRoot(options.root);
  const real = realLocation(path);
  if (real === undefined || !isInside(root.real, real)) {
    throw new SluiceError('PATH_OUTSIDE_ROOT', `report: ${path} is outside --root ${root.dir}`, {
      path,
      hint: `With --root, every input and output must be inside ${root.dir}, symbolic links followed.`,
    });
  }
}

/** What a run records for its report while it runs: the start, and every message it logs. */
export class ReportRecorder {
  readonly createdAt = new Date();
  private readonly startedAt = performance.now();
  readonly messages: string[] = [];

  constructor(
    readonly path: string,
    private readonly plan: PipelinePlan,
    private readonly spec: unknown,
  ) {}

  /** A run's `log`: kept for the report, and passed on to `print`. */
  log(print: (message: string) => void): (message: string) => void {
    return (message) => {
      this.messages.push(message);
      print(message);
    };
  }

  /**
   * Writes the report of `outcomes` (one per input file, in order), replacing a file there:
   * checkReportPath refused an existing one before the run unless that was allowed.
   */
  async write(outcomes: readonly FileOutcome[]): Promise<void> {
    const name = this.plan.name ?? this.plan.specPath ?? 'pipeline';
    await writeReport(
      this.path,
      {
        title: name,
        pipelines: [
          {
            name,
            ...(this.plan.specPath === undefined ? {} : { specPath: this.plan.specPath }),
            spec: this.spec,
            files: outcomes.map((outcome) => reportFile(outcome, this.plan)),
          },
        ],
        version: packageVersion(),
        createdAt: this.createdAt,
        seconds: (performance.now() - this.startedAt) / 1000,
        peakRssBytes: peakRssBytes(),
        messages: this.messages,
      },
      { overwrite: true },
    );
  }
}

/** A file's outcome as the report shows it: each sink with the params it ran with. */
export function reportFile(outcome: FileOutcome, plan: PipelinePlan): ReportFile {
  const { report, error } = outcome;
  return {
    input: outcome.input,
    status: outcome.status,
    outputs: outcome.outputs,
    ...(report
      ? {
          run: {
            ...report,
            sinks: report.sinks.map((sink, i) => ({ ...sink, params: plan.sinks[i]?.params })),
          },
        }
      : {}),
    ...(error
      ? { error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } }
      : {}),
  };
}

/**
 * A run by the API (`runIt`, given the options with the report's log), with its report written
 * to `path` after it from the files `outcomes` gives (none: no report, as for an interrupted run).
 */
export async function runWithReport<O extends RunOptions, R>(
  path: string,
  plan: PipelinePlan,
  spec: unknown,
  options: O,
  runIt: (options: O) => Promise<R>,
  outcomes: (result: R) => readonly FileOutcome[] | undefined,
): Promise<R> {
  checkReportPath(path, plan, options);
  const recorder = new ReportRecorder(path, plan, spec);
  const result = await runIt({ ...options, log: recorder.log(options.log ?? (() => {})) });
  const files = outcomes(result);
  if (files) await recorder.write(files);
  return result;
}

/** The outcome of a run over one file. */
export function oneFile(report: RunReport): FileOutcome[] {
  return [
    { input: report.source.path, status: 'ok', outputs: report.sinks.flatMap((s) => s.outputs), report },
  ];
}

/** The outcomes of a run over many files; none when it was interrupted. */
export function manyFiles(report: ManyReport): readonly FileOutcome[] | undefined {
  return report.files.some((file) => file.error?.code === 'ABORTED') ? undefined : report.files;
}
