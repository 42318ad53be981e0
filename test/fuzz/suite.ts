/**
 * The fuzz suite as vitest tests: a fixed seed and count per format, every input run in the
 * child with a time limit and a memory ceiling; the test fails on any failure that
 * known-failures.ts does not list, and prints each failure (seed, format, index, mutation,
 * reason) with the command that replays it.
 */
import { describe, expect, it } from 'vitest';
import { generatorFor } from './formats.ts';
import type { FuzzFormat } from './fuzz-input.ts';
import type { InputResult } from './harness.ts';
import { generateInputs, runInputs } from './harness.ts';
import { KNOWN_FAILURES, knownFailure } from './known-failures.ts';

/** The seed of `npm test`'s fuzz inputs; long runs use others (`npm run fuzz -- --seed N`). */
export const SUITE_SEED = 20_240_611;

function describeFailure(r: InputResult): string {
  return (
    `${r.input.format} seed ${r.seed} index ${r.input.index}: ${r.reason}\n` +
    `    base ${r.input.base}; mutation ${r.input.mutation.slice(0, 240)}\n` +
    `    replay: npm run fuzz -- --seed ${r.seed} --format ${r.input.format} --index ${r.input.index}`
  );
}

export function fuzzSuite(format: FuzzFormat, count: number): void {
  describe(`fuzz ${format}`, () => {
    it(`${count} inputs from seed ${SUITE_SEED}: each a typed error or correct values`, async () => {
      const indexes = Array.from({ length: count }, (_, i) => i);
      const results = await runInputs(
        generateInputs(generatorFor(format), format, SUITE_SEED, indexes),
        SUITE_SEED,
        {
          timeoutMs: 10_000,
        },
      );
      const failures = results.filter((r) => r.verdict === 'failure');
      const known = failures.filter((r) => knownFailure(r));
      const unexpected = failures.filter((r) => !knownFailure(r));
      if (known.length > 0) {
        console.log(
          `fuzz ${format}: ${known.length} known failures (known-failures.ts):\n${known.map(describeFailure).join('\n')}`,
        );
      }
      const listed = KNOWN_FAILURES.filter((k) => k.format === format);
      const unused = listed.filter((k) => !known.some((r) => knownFailure(r) === k));
      if (unused.length > 0) {
        console.log(
          `fuzz ${format}: known-failures.ts entries that matched nothing: ${unused.map((k) => k.signature).join(', ')}`,
        );
      }
      expect(unexpected.map(describeFailure)).toEqual([]);
      expect(results.length).toBe(count);
      // The generators must reach both outcomes, or they test too little.
      expect(results.some((r) => r.verdict === 'typed')).toBe(true);
      expect(results.some((r) => r.verdict === 'correct')).toBe(true);
    }, 240_000);
  });
}
