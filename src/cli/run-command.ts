import { loadSpecFile } from '../pipeline/spec-document.ts';
import { registryFor, validateSpec } from '../pipeline/validate.ts';
import type { PipelinePlan } from '../pipeline/validate.ts';
import {
  formatError,
  formatFileOutcome,
  formatManySummary,
  formatRunSummary,
  toJsonSummary,
  toManyJson,
} from './format.ts';
import { createProgressDisplay } from './progress.ts';
import type { ProgressDisplay } from './progress.ts';
import type { CommonOptions } from './options.ts';
import { specOptions } from './options.ts';
import type { ReportRecorder } from '../pipeline/run-report.ts';

export interface RunArgs extends CommonOptions {
  spec: string;
  json?: boolean;
  quiet?: boolean;
  overwrite?: boolean;
  dryRun?: boolean;
  failFast?: boolean;
  workers?: number;
  /** Submit to the workers on this queue (`sluice worker`) instead of running here. */
  queue?: string;
  shardRows?: number;
  scratch?: string;
  /** Write a self-contained HTML report of the run here (instead of the spec's `report:`). */
  report?: string;
}

/**
 * `sluice run SPEC`: validate, run (once per input file for a glob), print the summary.
 * Resolves to the exit code: 1 when some input files failed (each was reported already).
 */
export async function runCommand(args: RunArgs): Promise<number> {
  const options = specOptions(args);
  const spec = await loadSpecFile(args.spec, options);
  // Only the stages the spec names are loaded (validate.ts): start-up counts in every run's time.
  const plan = validateSpec(spec, await registryFor(spec), options);
  const reportPath = args.dryRun ? undefined : (args.report ?? plan.report);
  let recorder: ReportRecorder | undefined;
  if (reportPath !== undefined) {
    // The report's renderer (src/report/) is loaded only for a run that writes one.
    const { checkReportPath, ReportRecorder } = await import('../pipeline/run-report.ts');
    checkReportPath(reportPath, plan, args);
    recorder = new ReportRecorder(reportPath, plan, spec.value);
  }
  const controller = new AbortController();
  // On stderr when it is a terminal, --json or not (the JSON goes to stdout).
  const progress = createProgressDisplay(!args.quiet);
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    // The bar goes first, so the message is one clean line and nothing is drawn after it.
    progress.stop();
    process.stderr.write('interrupting: removing partial outputs (Ctrl-C again to force)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    if (plan.inputs.many || args.dryRun) return await runFiles(plan, args, controller.signal, recorder);
    await runOne(plan, args, controller.signal, progress, recorder);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

async function runOne(
  plan: PipelinePlan,
  args: RunArgs,
  signal: AbortSignal,
  progress: ProgressDisplay,
  recorder: ReportRecorder | undefined,
): Promise<void> {
  const log = verboseLog(args.verbose);
  try {
    const { runPlan } = await runner(args);
    const report = await runPlan(plan, {
      ...queueOptions(args),
      signal,
      overwrite: args.overwrite,
      workers: args.workers,
      root: args.root,
      log: recorder ? recorder.log(log) : log,
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    // A failed run writes no report: the error says what failed.
    const outputs = report.sinks.flatMap((s) => s.outputs);
    await recorder?.write([{ input: report.source.path, status: 'ok', outputs, report }]);
    const reportLine = recorder ? { report: recorder.path } : {};
    if (args.json) process.stdout.write(`${JSON.stringify({ ...toJsonSummary(report), ...reportLine })}\n`);
    else if (!args.quiet) {
      process.stdout.write(`${formatRunSummary(report)}\n${recorder ? `report: ${recorder.path}\n` : ''}`);
    }
  } finally {
    progress.stop();
  }
}

/** One line per file as it finishes, then a total; fails when any file failed. */
async function runFiles(
  plan: PipelinePlan,
  args: RunArgs,
  signal: AbortSignal,
  recorder: ReportRecorder | undefined,
): Promise<number> {
  const log = verboseLog(args.verbose);
  const { runManyPlan } = await runner(args);
  const report = await runManyPlan(plan, {
    ...queueOptions(args),
    signal,
    overwrite: args.overwrite,
    workers: args.workers,
    root: args.root,
    dryRun: args.dryRun,
    failFast: args.failFast,
    log: recorder ? recorder.log(log) : log,
    onFile: (outcome, index, total) => {
      if (outcome.error) process.stderr.write(`${formatError(outcome.error, args.verbose ?? false)}\n`);
      if (!args.json && !args.quiet) process.stdout.write(`${formatFileOutcome(outcome, index, total)}\n`);
    },
  });
  const aborted = report.files.some((f) => f.error?.code === 'ABORTED');
  // An interrupted run writes no report; one where files failed reports them.
  const reported = aborted ? undefined : recorder;
  await reported?.write(report.files);
  const reportLine = reported ? { report: reported.path } : {};
  if (args.json) process.stdout.write(`${JSON.stringify({ ...toManyJson(report), ...reportLine })}\n`);
  else if (!args.quiet) {
    process.stdout.write(`${formatManySummary(report)}\n${reported ? `report: ${reported.path}\n` : ''}`);
  }
  return aborted ? 130 : report.counts.failed > 0 ? 1 : 0;
}

/**
 * The runs here, or with `--queue` on the queue's workers (cluster/api.ts, which loads the
 * registry and, on use, the queue client).
 */
function runner(args: RunArgs) {
  return args.queue === undefined ? import('../pipeline/run-plan.ts') : import('../cluster/api.ts');
}

/** `--queue`, `--shard-rows`, `--scratch` as run options; nothing without `--queue`. */
function queueOptions(args: RunArgs) {
  if (args.queue === undefined) return {};
  return { queue: args.queue, shardRows: args.shardRows, scratch: args.scratch };
}

export function verboseLog(verbose: boolean | undefined): (message: string) => void {
  return verbose ? (message) => process.stderr.write(`sluice: ${message}\n`) : () => {};
}
