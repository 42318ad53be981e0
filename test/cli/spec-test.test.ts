/**
 * `sluice test SPEC…`: the `tests:` of a spec run its steps and sinks on inline input and check
 * the sinks' results, writing no file. One line per test; exit 0 when all pass, 1 when one
 * fails (naming the test, the path, the expected and the actual value), 2 for a bad spec.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-spec-test-'));
const out = join(dir, 'out');

function spec(text: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// The source's file does not exist: the tests replace its data. Every sink names an output.
const PIPELINE = `source: { type: npy, path: ${dir}/nowhere.npy, sampleRate: 1000 }
steps:
  - { type: derive, name: twice, expr: value * 2 }
sinks:
  - { type: stats, name: s, out: ${out}/stats.json }
  - { type: histogram, column: value, bins: 2, range: [0, 4], out: ${out}/hist.parquet }
  - { type: parquet, name: rows, out: ${out}/rows.parquet }
  - type: plot
    name: picture
    of: { type: histogram, column: twice, bins: 4, range: [0, 16], out: ${out}/twice.json }
    out: ${out}/twice.svg
`;

const PASSING = `${PIPELINE}tests:
  - name: mean of four values
    input: { value: [1, 2, 3, 6] }
    expect:
      - { sink: s, path: columns.value.mean, equals: 3 }
      - { sink: 1, path: counts, equals: [1, 2] }
      - { sink: 1, path: overflow, equals: 1 }
      - { sink: s, path: columns.value.std, within: [1.8, 1.9] }
      - { sink: s, path: columns.twice.max, equals: 12 }
  - name: writers and plots run without their files
    input: { value: { dtype: float32, values: [0.5, 1.5, 7] } }
    expect:
      - { sink: rows, path: rows, equals: 3 }
      - { sink: picture, path: counts, equals: [2, 0, 0, 1] }
`;

describe('sluice test', () => {
  it('runs every test on its inline input, one line each, exit 0, and writes no file', async () => {
    const result = await runBin(['test', spec(PASSING, 'pass.yaml')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      join(dir, 'pass.yaml'),
      '  ok    mean of four values',
      '  ok    writers and plots run without their files',
      '2 tests: 2 passed, 0 failed',
      '',
    ]);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['pass.yaml']);
  });

  it('exits 1 for a failing test, naming the test, the path, what was expected and what came', async () => {
    const failing = `${PIPELINE}tests:
  - name: right
    input: { value: [1, 2, 3, 6] }
    expect: [{ sink: s, path: columns.value.count, equals: 4 }]
  - name: wrong std
    input: { value: [1, 2, 3, 6] }
    expect:
      - { sink: s, path: columns.value.std, within: [1.9, 2.0] }
      - { sink: 1, path: counts, equals: [2, 1] }
      - { sink: s, path: columns.nothing.mean, equals: 1 }
`;
    const result = await runBin(['test', spec(failing, 'fail.yaml'), spec(PASSING, 'pass2.yaml')]);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines).toContain('  ok    right');
    expect(lines).toContain('  FAIL  wrong std');
    expect(result.stdout).toMatch(
      /sinks\[0\] \(stats s\): columns\.value\.std: expected within \[1\.9, 2\], got 1\.87082869/,
    );
    expect(result.stdout).toContain('sinks[1] (histogram): counts: expected [2,1], got [1,2]');
    expect(result.stdout).toContain(
      'columns.nothing.mean: no such path in the result (it has keys value, twice)',
    );
    expect(lines.at(-2)).toBe('4 tests: 3 passed, 1 failed');
  });

  it.each([
    [
      'a test naming no sink',
      `${PIPELINE}tests:\n  - { name: t, input: { value: [1] }, expect: [{ sink: nope, equals: 1 }] }\n`,
      'no sink "nope"',
    ],
    ['a typo in a stage', PASSING.replace('bins: 2,', 'binz: 2,'), "unknown key 'binz'"],
    [
      'uneven input columns',
      `${PIPELINE}tests:\n  - { name: t, input: { value: [1, 2], other: [1] }, expect: [{ sink: 0, equals: 1 }] }\n`,
      'equal rows',
    ],
  ])('exits 2 for a bad spec: %s', async (_label, text, message) => {
    const result = await runBin(['test', spec(text, 'bad.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toContain('1 spec not valid');
  });
});
