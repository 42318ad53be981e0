/**
 * Mutated HDF5 files through the hdf5 source: every fixture truncated at every 16th byte, and
 * bytes changed at seeded positions (fast-check, fixed seed; half of them in the first 4 KiB,
 * where these files keep most of their metadata). Each outcome must be a SluiceError, or the
 * unmutated file's values, or what libhdf5 (the library h5py wraps) reads from the mutated
 * file (a flipped byte-order bit, a moved data address: h5py reads the same); never an
 * untyped error, and never values libhdf5 would not give (mutation-harness.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../../sources/source-harness.ts';
import type { Outcome, Selection, Table } from './mutation-harness.ts';
import { judge, readTable } from './mutation-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-h5-mutations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SELECTIONS: Record<string, Selection[]> = {
  'contiguous.h5': [
    { file: 'contiguous.h5', params: { group: '/table' } },
    { file: 'contiguous.h5', params: { dataset: '/matrix' } },
  ],
  'chunked.h5': [{ file: 'chunked.h5', params: { group: '/table' } }],
  'pyccapt.h5': [{ file: 'pyccapt.h5', params: { layout: 'pyccapt-raw' } }],
};
const FLIPS_PER_FILE = 150;
const SEED = 11;

interface Tally {
  readonly counts: Record<string, number>;
  readonly failures: string[];
}

/** Judges `bytes` (written to a file of its own) under every selection of its fixture. */
async function judgeBytes(
  bytes: Uint8Array,
  label: string,
  selections: readonly Selection[],
  references: readonly Table[],
  tally: Tally,
): Promise<void> {
  const path = join(dir, `${label.replace(/[^\w.-]/g, '_')}.h5`);
  writeFileSync(path, bytes);
  try {
    for (const [i, selection] of selections.entries()) {
      const outcome: Outcome = await judge(path, selection.params, references[i]);
      const key = outcome.kind === 'typed' ? `typed ${outcome.code}` : outcome.kind;
      tally.counts[key] = (tally.counts[key] ?? 0) + 1;
      if (outcome.kind === 'untyped' || outcome.kind === 'wrong') {
        const detail = outcome.kind === 'untyped' ? outcome.error : outcome.why;
        tally.failures.push(`${label} ${JSON.stringify(selection.params)}: ${outcome.kind}: ${detail}`);
      }
    }
  } finally {
    rmSync(path, { force: true });
  }
}

describe.each(Object.entries(SELECTIONS))('mutated %s', (file, selections) => {
  const bytes = readFileSync(fixture(`hdf5/${file}`));

  it('truncated at every 16th byte: a typed error each time', async () => {
    const references = await Promise.all(selections.map((s) => readTable(fixture(`hdf5/${file}`), s.params)));
    const tally: Tally = { counts: {}, failures: [] };
    for (let end = 0; end < bytes.length; end += 16) {
      await judgeBytes(bytes.subarray(0, end), `${file}-trunc${end}`, selections, references, tally);
    }
    expect(tally.failures.slice(0, 10)).toEqual([]);
    expect(Object.keys(tally.counts).every((k) => k.startsWith('typed'))).toBe(true);
  });

  it(`${FLIPS_PER_FILE} seeded byte changes: a typed error or the right values`, async () => {
    const references = await Promise.all(selections.map((s) => readTable(fixture(`hdf5/${file}`), s.params)));
    const tally: Tally = { counts: {}, failures: [] };
    const position = fc.oneof(fc.nat(Math.min(4095, bytes.length - 1)), fc.nat(bytes.length - 1));
    await fc.assert(
      fc.asyncProperty(position, fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const mutated = Uint8Array.from(bytes);
        mutated[at] ^= xor;
        const before = tally.failures.length;
        await judgeBytes(mutated, `${file}-at${at}-xor${xor}`, selections, references, tally);
        return tally.failures.length === before;
      }),
      { seed: SEED, numRuns: FLIPS_PER_FILE, endOnFailure: true },
    );
    expect(tally.failures.slice(0, 10)).toEqual([]);
  });
});
