/**
 * Everything wrong with a spec, found in one go: validation collects its problems here (each a
 * SluiceError at its own `file:line:column`) instead of stopping at the first, and reports them
 * as one error whose `problems` lists them all.
 */
import { isSluiceError, SluiceError } from '../core/errors.ts';
import { keyPath } from './confine.ts';
import { formatPointer } from './spec-document.ts';
import type { SpecPath, SpecPosition } from './spec-document.ts';

/** Problems one error lists; it counts the rest. */
export const MAX_LISTED_PROBLEMS = 50;

/** Where problems point: the spec file and the line of a spec path. */
export interface ProblemPlace {
  readonly path: string;
  locate(specPath: SpecPath, atKey?: boolean): SpecPosition | undefined;
}

export class ProblemList {
  /** The first MAX_LISTED_PROBLEMS problems. */
  readonly listed: SluiceError[] = [];
  /** Problems in all, listed or not. */
  total = 0;

  add(problem: SluiceError): void {
    this.total += 1;
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(problem);
  }

  /** Counts `n` more problems without listing them. */
  count(n: number): void {
    this.total += n;
  }

  get isFull(): boolean {
    return this.listed.length >= MAX_LISTED_PROBLEMS;
  }

  /** Runs a check; a SluiceError it throws becomes a problem (or its problems). False when it threw. */
  check(check: () => void): boolean {
    try {
      check();
      return true;
    } catch (error) {
      if (!isSluiceError(error)) throw error;
      const listed = error.problems ?? [error];
      for (const problem of listed) this.add(problem);
      return false;
    }
  }

  get isEmpty(): boolean {
    return this.total === 0;
  }

  /** One error for them all, or undefined when there is none. */
  toError(): SluiceError | undefined {
    return this.isEmpty ? undefined : combineProblems(this.listed, this.total);
  }

  throwIfAny(): void {
    const error = this.toError();
    if (error) throw error;
  }
}

/**
 * One problem as it is; several as one error at the first one's place, with the first one's
 * code and hint, its message listing every problem at its `file:line:column`, and `problems`
 * holding them all.
 */
export function combineProblems(listed: readonly SluiceError[], total = listed.length): SluiceError {
  const [first] = listed;
  if (total === 1 && listed.length === 1) return first;
  const lines = [`${first.message}; and ${(total - 1).toLocaleString('en-US')} more:`];
  for (const problem of listed.slice(1)) {
    lines.push(
      `  ${problem.location && problem.line !== undefined ? `${problem.location}: ` : ''}${problem.message}`,
    );
  }
  if (total > listed.length)
    lines.push(`  (${(total - listed.length).toLocaleString('en-US')} more not listed)`);
  return new SluiceError(first.code, lines.join('\n'), {
    path: first.path,
    offset: first.offset,
    line: first.line,
    column: first.column,
    hint: first.hint,
    problems: listed,
    cause: first.cause,
  });
}

/**
 * A problem a stage's check found (an unknown column, a conflict between params), put at its
 * place in the spec: at the param holding the name it is about when there is one
 * (`sinks[1].column`), else at the stage; its message starts with that pointer.
 */
export function atStagePlace(
  error: SluiceError,
  stage: { readonly pointer: string; readonly params: Record<string, unknown>; readonly at: SpecPath },
  spec: ProblemPlace | undefined,
  fallback?: SpecPosition,
): SluiceError {
  if (error.path !== undefined && error.path !== spec?.path) return error;
  const param = error.subject === undefined ? undefined : keyPath(stage.params, error.subject);
  const at = param ? [...stage.at, ...param] : stage.at;
  const position = spec?.locate(at) ?? fallback;
  const pointer = formatPointer(at);
  return new SluiceError(error.code, `${pointer}: ${error.message}`, {
    path: spec?.path,
    ...position,
    hint: error.hint,
    subject: error.subject,
    cause: error.cause ?? error,
  });
}
