/**
 * Whether an input passed: a typed SluiceError, or values equal to the reference (or, where
 * there is none, counts that add up). Anything else fails: an untyped error, a hang, memory
 * over the ceiling, a dead child, or values that differ.
 */
import type { Expectation } from './expected-stats.ts';
import { checkConsistent, compareStats } from './expected-stats.ts';
import type { FuzzInput } from './fuzz-input.ts';
import type { ChildReply, InspectSummary, Outcome, RunSummary } from './protocol.ts';

export type Verdict = 'typed' | 'correct' | 'failure';

export interface Judgement {
  readonly verdict: Verdict;
  /** Why it failed: `untyped TypeError: …`, `hang`, `wrong values: …`. */
  readonly reason?: string;
}

/** What happened to an input in the child. */
export type ChildResult =
  | { readonly kind: 'reply'; readonly reply: ChildReply }
  | { readonly kind: 'timeout'; readonly ms: number }
  | { readonly kind: 'death'; readonly detail: string }
  | { readonly kind: 'fatal'; readonly detail: string };

function isTyped(o: Outcome<unknown>): boolean {
  return (
    !o.ok && o.error.name === 'SluiceError' && typeof o.error.code === 'string' && o.error.code.length > 0
  );
}

function untyped(step: string, o: Outcome<unknown> | undefined): string | undefined {
  if (!o) return `${step}: no outcome`;
  if (o.ok || isTyped(o)) return undefined;
  const first = o.error.message.split('\n')[0].slice(0, 300);
  return `untyped ${o.error.name}${o.error.code ? ` (${o.error.code})` : ''} in ${step}: ${first}`;
}

function checkValues(
  expect: Expectation,
  run: RunSummary,
  inspect: InspectSummary | undefined,
): string | undefined {
  if (expect.kind === 'refuse')
    return `accepted what must be refused (${expect.reason}): ${run.rowsRead} rows`;
  if (!run.stats) return undefined;
  if (inspect && inspect.rows !== run.rowsRead)
    return `inspect says ${inspect.rows} rows, the run read ${run.rowsRead}`;
  if (expect.kind === 'values') {
    if (run.rowsRead !== expect.rows) return `wrong values: ${run.rowsRead} rows, expected ${expect.rows}`;
    const diff = compareStats(expect.columns, run.stats.columns);
    return diff && `wrong values: ${diff}`;
  }
  const widths = inspect && Object.fromEntries(inspect.columns.map((c) => [c.name, c.width]));
  const problem = checkConsistent(run.stats, run.rowsRead, widths);
  return problem && `inconsistent: ${problem}`;
}

export function judge(input: FuzzInput, result: ChildResult, memoryBytes: number): Judgement {
  if (result.kind === 'timeout') return { verdict: 'failure', reason: `hang: no answer in ${result.ms} ms` };
  if (result.kind === 'death') return { verdict: 'failure', reason: `child died: ${result.detail}` };
  if (result.kind === 'fatal') return { verdict: 'failure', reason: result.detail };
  const { reply } = result;
  if (reply.maxRss > memoryBytes) {
    return { verdict: 'failure', reason: `memory: peak RSS ${Math.round(reply.maxRss / 2 ** 20)} MiB` };
  }
  const problem = untyped(input.spec ? 'spec parse' : 'inspect', reply.inspect) ?? untyped('run', reply.run);
  if (problem) return { verdict: 'failure', reason: problem };
  const run = reply.run as Outcome<RunSummary>;
  if (!run.ok) return { verdict: 'typed' };
  if (input.spec) return { verdict: 'correct' };
  const inspect = reply.inspect?.ok ? (reply.inspect.value as InspectSummary) : undefined;
  const wrong = checkValues(input.expect, run.value, inspect);
  return wrong ? { verdict: 'failure', reason: wrong } : { verdict: 'correct' };
}
