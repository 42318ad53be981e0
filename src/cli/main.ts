import { isSluiceError } from '../core/errors.ts';
import { formatError } from './format.ts';
import type { RunArgs } from './run-command.ts';

/** The flags without a value `run`, `validate` and `plan` take, by the names yargs gives them. */
const SPEC_FLAGS: ReadonlyMap<string, string> = new Map([
  ['--json', 'json'],
  ['--verbose', 'verbose'],
]);
const RUN_FLAGS: ReadonlyMap<string, string> = new Map([
  ...SPEC_FLAGS,
  ['--quiet', 'quiet'],
  ['--overwrite', 'overwrite'],
  ['--dry-run', 'dryRun'],
  ['--fail-fast', 'failFast'],
]);
const PLAIN_COMMANDS = { run: RUN_FLAGS, validate: SPEC_FLAGS, plan: SPEC_FLAGS } as const;

/** A plain command line: `sluice run|validate|plan SPEC` and flags without a value. */
export interface PlainCommand {
  readonly command: keyof typeof PLAIN_COMMANDS;
  readonly args: RunArgs;
}

/**
 * `sluice run SPEC` with flags only (`--json --overwrite`, as scripts and benchmarks call it),
 * or `validate`/`plan` likewise: the arguments as yargs would give them, read without yargs,
 * whose loading (cliui, string-width, y18n) and help rendering cost ~0.08 s of CPU, a quarter
 * of a small run's. Undefined for anything else (another command, an option with a value, a
 * flag twice, help), which yargs parses.
 */
export function plainCommand(argv: readonly string[]): PlainCommand | undefined {
  const command = argv[0];
  if (command !== 'run' && command !== 'validate' && command !== 'plan') return undefined;
  const known = PLAIN_COMMANDS[command];
  let spec: string | undefined;
  const flags: Record<string, boolean> = {};
  for (const token of argv.slice(1)) {
    const flag = known.get(token);
    if (flag !== undefined && !(flag in flags)) flags[flag] = true;
    else if (flag !== undefined || spec !== undefined || token === '' || token.startsWith('-'))
      return undefined;
    else spec = token;
  }
  return spec === undefined ? undefined : { command, args: { ...flags, spec } };
}

/** Runs a plain command line as yargs would have (commands.ts): its exit code. */
async function runPlain({ command, args }: PlainCommand): Promise<number> {
  if (command === 'run') return (await import('./run-command.ts')).runCommand(args);
  const info = await import('./info-commands.ts');
  await (command === 'validate' ? info.validateCommand(args) : info.planCommand(args));
  return 0;
}

/** Runs the CLI; resolves to the process exit code (0 ok, 1 runtime failure, 2 spec or usage). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const verbose = argv.includes('--verbose');
  const json = argv.includes('--json');
  try {
    const plain = plainCommand(argv);
    if (plain) return await runPlain(plain);
    const { buildCli } = await import('./commands.ts');
    const outcome = { exitCode: 0 };
    await buildCli(argv, outcome).parseAsync();
    return outcome.exitCode;
  } catch (error) {
    process.stderr.write(`${formatError(error, verbose)}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: errorJson(error) })}\n`);
    if (isSluiceError(error)) return error.code === 'ABORTED' ? 130 : error.exitCode;
    return 1;
  }
}

function errorJson(error: unknown): Record<string, unknown> {
  if (isSluiceError(error)) return error.toJSON();
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
