import { beforeEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => [] as { command: string; args: Record<string, unknown> }[]);
vi.mock('../../src/cli/run-command.ts', () => ({
  runCommand: async (args: Record<string, unknown>) => (calls.push({ command: 'run', args }), 0),
}));
vi.mock('../../src/cli/info-commands.ts', () => ({
  validateCommand: async (args: Record<string, unknown>) => void calls.push({ command: 'validate', args }),
  planCommand: async (args: Record<string, unknown>) => void calls.push({ command: 'plan', args }),
}));

const { buildCli } = await import('../../src/cli/commands.ts');
const { main, plainCommand } = await import('../../src/cli/main.ts');

/** The arguments a command's handler is given, as yargs parses the command line. */
async function parsedByYargs(argv: string[]): Promise<{ command: string; args: Record<string, unknown> }> {
  calls.length = 0;
  await buildCli(argv).parseAsync();
  expect(calls).toHaveLength(1);
  return calls[0];
}

/** The keys a command reads: yargs adds `_`, `$0` and kebab-case twins. */
const READ = [
  'spec',
  'json',
  'verbose',
  'quiet',
  'overwrite',
  'dryRun',
  'failFast',
  'set',
  'chunkRows',
  'io',
  'root',
];
function asRead(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    READ.filter((k) => args[k] !== undefined && args[k] !== false).map((k) => [k, args[k]]),
  );
}

beforeEach(() => {
  calls.length = 0;
});

describe('plain command lines', () => {
  it.each([
    [['run', 'spec.yaml']],
    [['run', 'spec.yaml', '--json', '--overwrite']],
    [['run', '--json', 'spec.yaml', '--quiet', '--dry-run', '--fail-fast', '--verbose']],
    [['run', '123']],
    [['validate', 'a b.yaml', '--json']],
    [['plan', 'spec.json', '--verbose', '--json']],
  ])('%j reads as yargs reads it', async (argv) => {
    const plain = plainCommand(argv);
    expect(plain).toBeDefined();
    const yargs = await parsedByYargs(argv);
    expect(plain!.command).toBe(yargs.command);
    expect(asRead({ ...plain!.args })).toEqual(asRead(yargs.args));
  });

  it.each([
    [['run']],
    [['run', 'a.yaml', 'b.yaml']],
    [['run', 'a.yaml', '--json', '--json']],
    [['run', 'a.yaml', '--workers', '2']],
    [['run', 'a.yaml', '--set', 'source.path=x.npy']],
    [['run', 'a.yaml', '--json=true']],
    [['run', 'a.yaml', '--help']],
    [['run', 'a.yaml', '--no-json']],
    [['run', 'a.yaml', '--']],
    [['run', '']],
    [['validate', 'a.yaml', '--quiet']],
    [['--verbose', 'run', 'a.yaml']],
    [['stages']],
    [['--version']],
  ])('%j is left to yargs', (argv) => {
    expect(plainCommand(argv)).toBeUndefined();
  });

  it('runs a plain line without yargs and returns the command’s exit code', async () => {
    expect(await main(['run', 'spec.yaml', '--json'])).toBe(0);
    expect(calls).toEqual([{ command: 'run', args: { spec: 'spec.yaml', json: true } }]);
  });
});
