/**
 * Failures the fuzz suite finds in code that is being fixed elsewhere, so that `npm test` stays
 * green meanwhile: ONE list, each entry a format and the signature of the failure's reason.
 * Empty it as the fixes land: an entry that matches nothing any more should be removed (the
 * suite prints the entries that matched nothing).
 */
import type { FuzzFormat } from './fuzz-input.ts';
import type { InputResult } from './harness.ts';

export interface KnownFailure {
  readonly format: FuzzFormat;
  /** Matched against the failure's reason (`untyped TypeError in run: …`, `hang: …`, …). */
  readonly signature: RegExp;
  /** What it is and who fixes it. */
  readonly note: string;
}

export const KNOWN_FAILURES: readonly KnownFailure[] = [];

/** The entry that lists this failure, if any. */
export function knownFailure(result: Pick<InputResult, 'input' | 'reason'>): KnownFailure | undefined {
  return KNOWN_FAILURES.find(
    (k) => k.format === result.input.format && k.signature.test(result.reason ?? ''),
  );
}
