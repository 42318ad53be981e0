import { runManyPlan, runPlan } from '../cluster/api.ts';
import { validateSpecFile } from '../pipeline/api.ts';
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
}

/**
 * `sluice run SPEC`: validate, run (once per input file for a glob), print the summary.
 * Resolves to the exit code: 1 when some input files failed (each was reported already).
 */
export async function runCommand(args: RunArgs): Promise<number> {
  const plan = await validateSpecFile(args.spec, specOptions(args));
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
    if (plan.inputs.many || args.dryRun) return await runFiles(plan, args, controller.signal);
    await runOne(plan, args, controller.signal, progress);
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
): Promise<void> {
  try {
    const report = await runPlan(plan, {
      ...queueOptions(args),
      signal,
      overwrite: args.overwrite,
      workers: args.workers,
      root: args.root,
      log: verboseLog(args.verbose),
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    if (args.json) process.stdout.write(`${JSON.stringify(toJsonSummary(report))}\n`);
    else if (!args.quiet) process.stdout.write(`${formatRunSummary(report)}\n`);
  } finally {
    progress.stop();
  }
}

/** One line per file as it finishes, then a total; fails when any file failed. */
async function runFiles(plan: PipelinePlan, args: RunArgs, signal: AbortSignal): Promise<number> {
  const report = await runManyPlan(plan, {
    ...queueOptions(args),
    signal,
    overwrite: args.overwrite,
    workers: args.workers,
    root: args.root,
    dryRun: args.dryRun,
    failFast: args.failFast,
    log: verboseLog(args.verbose),
    onFile: (outcome, index, total) => {
      if (outcome.error) process.stderr.write(`${formatError(outcome.error, args.verbose ?? false)}\n`);
      if (!args.json && !args.quiet) process.stdout.write(`${formatFileOutcome(outcome, index, total)}\n`);
    },
  });
  if (args.json) process.stdout.write(`${JSON.stringify(toManyJson(report))}\n`);
  else if (!args.quiet) process.stdout.write(`${formatManySummary(report)}\n`);
  const aborted = report.files.some((f) => f.error?.code === 'ABORTED');
  return aborted ? 130 : report.counts.failed > 0 ? 1 : 0;
}

/** `--queue`, `--shard-rows`, `--scratch` as run options; nothing without `--queue`. */
function queueOptions(args: RunArgs) {
  if (args.queue === undefined) return {};
  return { queue: args.queue, shardRows: args.shardRows, scratch: args.scratch };
}

export function verboseLog(verbose: boolean | undefined): (message: string) => void {
  return verbose ? (message) => process.stderr.write(`sluice: ${message}\n`) : () => {};
}
