/**
 * The CLI's commands and options, parsed by yargs (main.ts loads this module unless the
 * command line is a plain `sluice run SPEC`).
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import { SluiceError } from '../core/errors.ts';
import { packageVersion } from '../core/runtime-info.ts';

// Each command's module is imported when that command runs: `sluice run` then never loads the
// queue client (bullmq, ioredis), the spec-test runner or the JSON Schema builder, and
// `sluice --version` loads none of them (process start-up is part of every run's time).
const info = () => import('./info-commands.ts');

function withSpecOptions<T>(y: Argv<T>) {
  return y
    .positional('spec', { type: 'string', demandOption: true, describe: 'Pipeline spec (YAML or JSON)' })
    .option('set', { type: 'string', array: true, describe: 'Override a spec key: --set source.path=x.npy' })
    .option('chunk-rows', { type: 'number', describe: 'Rows per batch (source.chunkRows)' })
    .option('io', { choices: ['auto', 'read', 'mmap'] as const, describe: 'File access backend (source.io)' })
    .option('root', {
      type: 'string',
      describe: 'Refuse any input or output outside this directory (symbolic links followed)',
    })
    .option('json', { type: 'boolean', describe: 'Print one JSON object on stdout' });
}

/** What a command decided the exit code should be, when it is not 0 and not an error's. */
export interface Outcome {
  exitCode: number;
}

export function buildCli(argv: string[], outcome: Outcome = { exitCode: 0 }) {
  // yargs renders every command's help text before running it; word-wrapping that text costs
  // ~40 ms of start-up, so it is wrapped only when help is what was asked for.
  const helpWanted = argv.includes('--help') || argv.includes('-h');
  const cli = yargs(argv);
  if (!helpWanted) cli.wrap(null);
  return cli
    .scriptName('sluice')
    .usage('$0 <command> [options]\n\nBatch stream pipelines over huge scientific binary files.')
    .option('verbose', { type: 'boolean', describe: 'Explain choices; stack traces on errors' })
    .command(
      'run <spec>',
      'Run a pipeline spec',
      (y) =>
        withSpecOptions(y)
          .option('quiet', { type: 'boolean', describe: 'Print nothing on success' })
          .option('overwrite', { type: 'boolean', describe: 'Replace existing outputs' })
          .option('dry-run', { type: 'boolean', describe: 'List the files that would run and write nothing' })
          .option('fail-fast', { type: 'boolean', describe: 'Stop at the first input file that fails' })
          .option('report', {
            type: 'string',
            describe: "Write a self-contained HTML report of the run to this file (the spec's report:)",
          })
          .option('workers', {
            type: 'number',
            describe:
              'Threads for the passes (default: every core on inputs ≥ 256 MiB, when every sink allows it)',
          })
          .option('queue', {
            type: 'string',
            describe:
              'Run on the workers of this queue (sluice worker): redis://host:6379[/db] or postgres://user:pass@host/db',
          })
          .option('shard-rows', {
            type: 'number',
            describe: 'With --queue: rows per shard (default: about 256 MiB of input)',
          })
          .option('scratch', {
            type: 'string',
            describe:
              'With --queue: a directory every worker reaches at the same path (default: .sluice/ beside the first output)',
          }),
      async (args) => {
        const { runCommand } = await import('./run-command.ts');
        outcome.exitCode = await runCommand({ ...args, spec: args.spec });
      },
    )
    .command('validate <spec>', 'Check a spec without reading data', withSpecOptions, async (args) =>
      (await info()).validateCommand({ ...args, spec: args.spec }),
    )
    .command(
      'plan <spec>',
      'Show stages with defaults, overlap, passes and memory',
      withSpecOptions,
      async (args) => (await info()).planCommand({ ...args, spec: args.spec }),
    )
    .command(
      'inspect <file>',
      'Show a data file’s format, columns, rows and first values; list an HDF5 file’s groups and datasets',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true })
          .option('type', { type: 'string', describe: 'Source type, when it cannot be detected' })
          .option('set', { type: 'string', array: true, describe: 'Source params: --set dtype=int16' })
          .option('head', { type: 'number', default: 5, describe: 'Rows to show' })
          .option('json', { type: 'boolean' }),
      async (args) => (await info()).inspectCommand({ ...args, file: args.file }),
    )
    .command(
      'stages [name]',
      'List stages with their params and docs',
      (y) => y.positional('name', { type: 'string' }).option('json', { type: 'boolean' }),
      async (args) => (await info()).stagesCommand(args),
    )
    .command(
      'worker',
      'Take the jobs of `sluice run --queue` runs until stopped (SIGTERM/SIGINT finish the current job)',
      (y) =>
        y
          .option('queue', {
            type: 'string',
            demandOption: true,
            describe:
              'redis://host:6379[/db] or postgres://user:pass@host/db (?queue=NAME for another queue)',
          })
          .option('concurrency', {
            type: 'number',
            default: 1,
            describe: 'Jobs at once, each on its own thread',
          })
          .option('lock-seconds', {
            type: 'number',
            default: 30,
            describe:
              "A job's lock, renewed while it runs; a dead worker's job runs again after 1–2 of these",
          }),
      async (args) => {
        const { workerCommand } = await import('./worker-command.ts');
        outcome.exitCode = await workerCommand(args);
      },
    )
    .command(
      'test <specs..>',
      'Run the `tests:` of specs on their inline input (exit 1 when a test fails, 2 for a bad spec)',
      (y) =>
        y
          .positional('specs', { type: 'string', array: true, demandOption: true, describe: 'Spec files' })
          .option('set', {
            type: 'string',
            array: true,
            describe: 'Override a spec key: --set sinks[0].bins=50',
          })
          .option('json', { type: 'boolean', describe: 'Print one JSON object on stdout' }),
      async (args) => {
        const { testCommand } = await import('./test-command.ts');
        outcome.exitCode = await testCommand({ ...args, specs: args.specs });
      },
    )
    .command(
      'schema',
      'Print the JSON Schema (draft 2020-12) of a spec, for editors and linters',
      {},
      async () => (await import('./schema-command.ts')).schemaCommand(),
    )
    .command(
      'reflectron',
      'Reflectron mesh correction: list the instrument presets',
      (y) =>
        y
          .option('list-instruments', { type: 'boolean', demandOption: true, describe: 'List the presets' })
          .option('json', { type: 'boolean' }),
      async (args) => (await info()).reflectronCommand(args),
    )
    .demandCommand(
      1,
      'Name a command: run, worker, validate, plan, inspect, stages, test, schema or reflectron.',
    )
    .strict()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .fail((message, error) => {
      throw error ?? new SluiceError('USAGE', message ?? 'bad usage', { hint: 'Run `sluice --help`.' });
    });
}
