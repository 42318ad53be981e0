/**
 * Stable error codes. The value is the CLI exit code class: 2 = bad spec or usage (fix the
 * command or spec), 1 = runtime failure (bad data, I/O).
 */
export const ERROR_CODES = {
  SPEC_SYNTAX: 2,
  SPEC_INVALID: 2,
  PARAMS_INVALID: 2,
  STAGE_UNKNOWN: 2,
  INPUT_MISSING: 2,
  OUTPUT_EXISTS: 2,
  PATH_OUTSIDE_ROOT: 2,
  USAGE: 2,
  ENV_UNDEFINED: 2,
  COLUMN_UNKNOWN: 2,
  FORMAT_UNKNOWN: 2,
  FORMAT_INVALID: 1,
  FORMAT_UNSUPPORTED: 1,
  SIZE_MISMATCH: 1,
  IO_READ: 1,
  IO_WRITE: 1,
  IO_SHORT_READ: 1,
  RANGE_INVALID: 1,
  DATA_INVALID: 1,
  ROWS_MISMATCH: 1,
  ABORTED: 1,
  STAGE_FAILED: 1,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export interface SluiceErrorDetails {
  /** The file the error is about (data file or spec file). */
  path?: string;
  /** Byte offset in `path` where the problem is. */
  offset?: number;
  /** 1-based line and column in a spec file. */
  line?: number;
  column?: number;
  /** How to fix it. */
  hint?: string;
  /** The name the error is about (an unknown column), so a spec check can point at the param holding it. */
  subject?: string;
  /** Every problem, when one error reports several (a spec checked in one go); the first is this one's. */
  problems?: readonly SluiceError[];
  cause?: unknown;
}

/** The one error class of sluice: a stable code, where it happened and how to fix it. */
export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly offset?: number;
  readonly line?: number;
  readonly column?: number;
  readonly hint?: string;
  readonly subject?: string;
  readonly problems?: readonly SluiceError[];

  constructor(code: ErrorCode, message: string, details: SluiceErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SluiceError';
    this.code = code;
    this.path = details.path;
    this.offset = details.offset;
    this.line = details.line;
    this.column = details.column;
    this.hint = details.hint;
    this.subject = details.subject;
    this.problems = details.problems;
  }

  /** 2 for spec and usage errors, 1 for runtime failures. */
  get exitCode(): 1 | 2 {
    return ERROR_CODES[this.code];
  }

  /** `path:line:column` or `path @ byte N`, whichever applies. */
  get location(): string | undefined {
    if (!this.path) return undefined;
    if (this.line !== undefined) return `${this.path}:${this.line}:${this.column ?? 1}`;
    if (this.offset !== undefined) return `${this.path} @ byte ${this.offset}`;
    return this.path;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      path: this.path,
      offset: this.offset,
      line: this.line,
      column: this.column,
      hint: this.hint,
      ...(this.problems ? { problems: this.problems.map((p) => p.toJSON()) } : {}),
    };
  }
}

/** The SluiceError whose `toJSON()` another thread sent; STAGE_FAILED for an unknown code. */
export function sluiceErrorFromJSON(error: Record<string, unknown>): SluiceError {
  const { code, message, path, offset, line, column, hint } = error;
  return new SluiceError(
    (typeof code === 'string' && code in ERROR_CODES ? code : 'STAGE_FAILED') as ErrorCode,
    String(message),
    {
      path: typeof path === 'string' ? path : undefined,
      offset: typeof offset === 'number' ? offset : undefined,
      line: typeof line === 'number' ? line : undefined,
      column: typeof column === 'number' ? column : undefined,
      hint: typeof hint === 'string' ? hint : undefined,
    },
  );
}

export function isSluiceError(error: unknown): error is SluiceError {
  return error instanceof SluiceError;
}

/** Wraps a foreign error once, naming the stage it came from; a SluiceError passes unchanged. */
export function wrapError(error: unknown, stage: string, path?: string): SluiceError {
  if (error instanceof SluiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SluiceError('STAGE_FAILED', `${stage}: ${message}`, {
    path,
    cause: error,
    hint: 'Run again with --verbose for the stack trace.',
  });
}
