/**
 * Long fuzz runs of the suite in test/fuzz/ (the same generators, child process, limits and
 * judgement as `npm test`):
 *
 *   npm run fuzz -- --seed 90210 --count 2000                 # every format
 *   npm run fuzz -- --seed 7 --count 500 --format npy --format hdf5
 *   npm run fuzz -- --seed 5 --format npy --index 325         # replay one input
 *
 * Prints a line per failure as it happens, and per format: inputs, typed errors, correct
 * values, failures (and of those, the ones test/fuzz/known-failures.ts lists). Failing inputs
 * are kept in test/fuzz/.failures/. Exits 1 when a failure is not a known one.
 */
import { parseArgs } from 'node:util';
import { generatorFor } from '../test/fuzz/formats.ts';
import { FORMATS } from '../test/fuzz/fuzz-input.ts';
import type { FuzzFormat } from '../test/fuzz/fuzz-input.ts';
import type { InputResult } from '../test/fuzz/harness.ts';
import { FAILURES_DIR, generateInputs, runInputs } from '../test/fuzz/harness.ts';
import { knownFailure } from '../test/fuzz/known-failures.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '1000' },
    format: { type: 'string', multiple: true },
    index: { type: 'string', multiple: true },
    'timeout-ms': { type: 'string', default: '10000' },
    'memory-mib': { type: 'string', default: '1024' },
    verbose: { type: 'boolean', default: false },
  },
});

const seed = Number(values.seed);
const formats = (values.format ?? [...FORMATS]) as FuzzFormat[];
const unknownFormat = formats.find((f) => !(FORMATS as readonly string[]).includes(f));
if (unknownFormat || !Number.isSafeInteger(seed)) {
  console.error(
    `usage: npm run fuzz -- --seed N --count M [--format ${FORMATS.join('|')}]... [--index I]...`,
  );
  process.exit(2);
}
const indexes = values.index
  ? values.index.map(Number)
  : Array.from({ length: Number(values.count) }, (_, i) => i);

function line(result: InputResult): string {
  const { input } = result;
  const known = knownFailure(result);
  return (
    `${known ? 'KNOWN ' : ''}FAIL ${input.format} seed ${result.seed} index ${input.index}: ${result.reason}\n` +
    `     base ${input.base}; mutation ${input.mutation.slice(0, 300)}`
  );
}

const rows: string[][] = [['format', 'inputs', 'typed', 'correct', 'failures', 'known', 'seconds']];
let unexpected = 0;
for (const format of formats) {
  const started = performance.now();
  const results = await runInputs(generateInputs(generatorFor(format), format, seed, indexes), seed, {
    timeoutMs: Number(values['timeout-ms']),
    memoryBytes: Number(values['memory-mib']) * 2 ** 20,
    onResult: (result) => {
      if (result.verdict === 'failure') console.log(line(result));
      else if (values.verbose) {
        console.log(
          `${result.verdict} ${format} ${result.input.index}: ${result.input.mutation.slice(0, 120)}`,
        );
      }
    },
  });
  const counts = { typed: 0, correct: 0, failure: 0, known: 0 };
  for (const result of results) {
    counts[result.verdict]++;
    if (result.verdict === 'failure' && knownFailure(result)) counts.known++;
  }
  unexpected += counts.failure - counts.known;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  rows.push([
    format,
    String(indexes.length),
    String(counts.typed),
    String(counts.correct),
    String(counts.failure),
    String(counts.known),
    seconds,
  ]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
console.log(`\nseed ${seed}; failing inputs kept in ${FAILURES_DIR}`);
for (const r of rows) console.log(r.map((cell, c) => cell.padStart(widths[c])).join('  '));
process.exit(unexpected > 0 ? 1 : 0);
