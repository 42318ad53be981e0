import { runPlan, validateSpecFile } from '../pipeline/api.ts';
import { formatRunSummary, toJsonSummary } from './format.ts';
import { createProgressDisplay } from './progress.ts';
import type { CommonOptions } from './options.ts';
import { specOptions } from './options.ts';

export interface RunArgs extends CommonOptions {
  spec: string;
  json?: boolean;
  quiet?: boolean;
  overwrite?: boolean;
}

/** `sluice run SPEC`: validate, run with a progress bar, print the summary. */
export async function runCommand(args: RunArgs): Promise<void> {
  const plan = await validateSpecFile(args.spec, specOptions(args));
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ninterrupting: removing partial outputs (Ctrl-C again to force)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const progress = createProgressDisplay(!args.json && !args.quiet);
  try {
    const report = await runPlan(plan, {
      signal: controller.signal,
      overwrite: args.overwrite,
      log: verboseLog(args.verbose),
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    if (args.json) process.stdout.write(`${JSON.stringify(toJsonSummary(report))}\n`);
    else if (!args.quiet) process.stdout.write(`${formatRunSummary(report)}\n`);
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

export function verboseLog(verbose: boolean | undefined): (message: string) => void {
  return verbose ? (message) => process.stderr.write(`sluice: ${message}\n`) : () => {};
}
