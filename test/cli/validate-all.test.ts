/**
 * `sluice validate` catches everything `plan` and `run` would refuse before reading data, and
 * reports every problem of a spec in one run, each at its `file:line:column`: unknown keys,
 * unknown columns (with the nearest name), spectral params that conflict, names an output
 * layout cannot hold, and output extensions nothing writes.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-validate-'));
const EPOS = resolve('test/fixtures/epos/ions.epos');

function spec(text: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const FIVE_PROBLEMS = `source: { type: epos, path: ${EPOS} }
sinks:
  - { type: stats, chunkRow: 5 }
  - { type: histogram, column: 'm/n (Dalton)', bins: 10 }
  - { type: welch, column: 'x (nm)', nperseg: 64, noverlap: 64 }
  - { type: hdf5, out: ${dir}/out/x.h5, layout: pandas }
  - { type: histogram, column: 'x (nm)', range: [0, 1], out: ${dir}/out/h.txt }
`;

describe('sluice validate', () => {
  it('reports every problem of a spec in one run, each at file:line:column, in file order', async () => {
    const path = spec(FIVE_PROBLEMS, 'five.yaml');
    const result = await runBin(['validate', path]);
    expect(result.code).toBe(2);
    const problems = result.stderr.split('\n').filter((line) => line.startsWith(`${path}:`));
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(
      new RegExp(`^${path}:3:20: error PARAMS_INVALID: sinks\\[0\\]\\.chunkRow: unknown key 'chunkRow'`),
    );
    expect(problems[4]).toMatch(
      new RegExp(
        `^${path}:7:\\d+: error PARAMS_INVALID: sinks\\[4\\]\\.out: histogram cannot write \\S+h\\.txt$`,
      ),
    );
    const column = problems.find((p) => p.includes('COLUMN_UNKNOWN'))!;
    expect(column).toMatch(new RegExp(`^${path}:4:\\d+: error COLUMN_UNKNOWN: sinks\\[1\\]\\.column: `));
    expect(result.stderr).toContain("hint: Did you mean 'm/n (Da)'?");
    expect(problems.some((p) => /:5:\d+: error PARAMS_INVALID: sinks\[2\].*noverlap/.test(p))).toBe(true);
    expect(
      problems.some((p) =>
        /:6:\d+: error PARAMS_INVALID: sinks\[3\].*pandas cannot name a column "m\/n \(Da\)"/.test(p),
      ),
    ).toBe(true);
    expect(result.stderr).toContain('hint: histogram writes its result as .json, .parquet');
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(`5 problems in ${path}`);
  });

  it('lists them in --json too, and reads no data: nothing is written', async () => {
    const result = await runBin(['validate', spec(FIVE_PROBLEMS, 'five-json.yaml'), '--json']);
    const { error } = JSON.parse(result.stdout) as { error: { problems: { line: number; code: string }[] } };
    expect(error.problems.map((p) => p.line).sort()).toEqual([3, 4, 5, 6, 7]);
    expect(readdirSync(dir).filter((f) => f === 'out')).toEqual([]);
  });

  it('run refuses the same spec before reading data, with the same problems', async () => {
    const result = await runBin(['run', spec(FIVE_PROBLEMS, 'five-run.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('chunkRow');
    expect(result.stderr).toContain('h.txt');
  });

  it('refuses output options that contradict each other, as run would before reading data', async () => {
    const text = `source: { type: epos, path: ${EPOS} }\nsinks:\n  - { type: hdf5, out: ${dir}/c.h5, storage: contiguous, compression: gzip }\n`;
    const result = await runBin(['validate', spec(text, 'contiguous.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'storage contiguous needs the row count before the run, and no compression',
    );
    expect(result.stderr).toContain(`at ${dir}/contiguous.yaml:3:5`);
  });

  it('a valid spec is valid', async () => {
    const path = spec(
      `source: { type: epos, path: ${EPOS} }\nsinks: [{ type: histogram, column: 'm/n (Da)', bins: 10 }]\n`,
      'ok.yaml',
    );
    const result = await runBin(['validate', path]);
    expect(result).toMatchObject({ code: 0, stdout: `${path}: valid (epos → 0 steps → 1 sinks)\n` });
  });
});
