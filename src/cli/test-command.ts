/**
 * `sluice test SPEC…`: runs the `tests:` of each spec (spec-tests.ts) and prints one line per
 * test, with what did not hold under a failing one. Exit 0 when every test passes, 1 when one
 * fails, 2 when a spec is not valid.
 */
import { checkSpec } from '../pipeline/validate.ts';
import { loadSpecFile } from '../pipeline/spec-document.ts';
import { runSpecTests } from '../pipeline/spec-tests.ts';
import type { TestOutcome } from '../pipeline/spec-tests.ts';
import { registry } from '../stages.ts';
import { formatError } from './format.ts';
import type { CommonOptions } from './options.ts';
import { specOptions } from './options.ts';

export interface TestArgs extends CommonOptions {
  specs: string[];
  json?: boolean;
}

interface SpecOutcome {
  readonly spec: string;
  readonly valid: boolean;
  readonly tests: readonly TestOutcome[];
}

export async function testCommand(args: TestArgs): Promise<number> {
  const outcomes: SpecOutcome[] = [];
  for (const spec of args.specs) outcomes.push(await testSpec(spec, args));
  const tests = outcomes.flatMap((o) => o.tests);
  const failed = tests.filter((t) => !t.passed).length;
  const invalid = outcomes.filter((o) => !o.valid).length;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ ok: failed === 0 && invalid === 0, specs: outcomes })}\n`);
  } else {
    const parts = [`${tests.length - failed} passed`, `${failed} failed`];
    if (invalid) parts.push(`${invalid} spec${invalid > 1 ? 's' : ''} not valid`);
    process.stdout.write(`${tests.length} test${tests.length === 1 ? '' : 's'}: ${parts.join(', ')}\n`);
  }
  return invalid > 0 ? 2 : failed > 0 ? 1 : 0;
}

async function testSpec(path: string, args: TestArgs): Promise<SpecOutcome> {
  const { set } = specOptions(args);
  let outcome: SpecOutcome;
  try {
    const spec = await loadSpecFile(path, { set });
    // The tests replace the source's data: its file need not exist.
    const { plan, problems } = checkSpec(spec, registry, { checkInputs: false });
    problems.throwIfAny();
    outcome = { spec: path, valid: true, tests: await runSpecTests(plan!) };
  } catch (error) {
    process.stderr.write(`${formatError(error, args.verbose ?? false)}\n`);
    return { spec: path, valid: false, tests: [] };
  }
  if (!args.json) printOutcome(outcome);
  return outcome;
}

function printOutcome(outcome: SpecOutcome): void {
  const lines = [outcome.spec];
  if (outcome.tests.length === 0) lines.push('  (no tests: add `tests:` to the spec)');
  for (const test of outcome.tests) {
    lines.push(`  ${test.passed ? 'ok  ' : 'FAIL'}  ${test.name}`);
    for (const failure of test.failures) lines.push(`          ${failure}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
