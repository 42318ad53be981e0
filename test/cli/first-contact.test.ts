/**
 * A new user's first minutes, through the `sluice` executable (bin/sluice.js) as they run it:
 * `--version`, a compact `stages` list, the results of sinks that write no file printed (and
 * in `--json`), `npm start`'s next step, and README/docs that say how to call sluice and where
 * the design notes and the stage reference are.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NEXT_STEP } from '../../scripts/demo.ts';
import { allStages } from '../../src/stages.ts';
import { runBin } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-first-'));
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};
const SIGNAL = resolve('test/fixtures/npy/f4-sine.npy');

function spec(text: string, name = 'spec.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('sluice --version and stages', () => {
  it('--version prints the package version', async () => {
    const result = await runBin(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('stages prints one line per stage: name, kind, what it does', async () => {
    const result = await runBin(['stages']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^stage\s+kind\s+what it does$/);
    expect(lines.length).toBeLessThan(allStages.length + 5);
    for (const stage of allStages) {
      expect(lines.some((l) => new RegExp(`^${stage.name}\\s+${stage.kind}\\s+\\S`).test(l))).toBe(true);
    }
    expect(result.stdout).not.toContain('| key |');
    // One stage, and --json, are as they were: the params table, the docs as JSON.
    expect((await runBin(['stages', 'welch'])).stdout).toContain('| `nperseg` |');
    const json = JSON.parse((await runBin(['stages', '--json'])).stdout) as { name: string }[];
    expect(json.map((d) => d.name)).toEqual(allStages.map((s) => s.name));
  });
});

describe('results of sinks that write no file', () => {
  const text = `source: { type: npy, path: ${SIGNAL}, chunkRows: 1000 }
sinks:
  - { type: stats, name: summary }
  - { type: quantiles, q: [0.1, 0.9] }
  - { type: histogram, column: value, bins: 10 }
  - { type: histogram, column: value, bins: 5, range: [-1, 1], out: ${dir}/h.json }
`;

  it('are printed: stats and quantiles as tables, a histogram as a summary', async () => {
    const result = await runBin(['run', spec(text, 'results.yaml'), '--overwrite']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('(result only)');
    expect(result.stdout).toMatch(
      /stats summary\s+sinks\[0\]\s+10,007 rows:\n\s+column\s+count\s+mean\s+std\s+min\s+max\s+NaN\n\s+value\s+[\d,]+\s+-?\d/,
    );
    expect(result.stdout).toMatch(/column\s+count\s+median\s+q0\.1\s+q0\.9\s+error\n\s+value\s/);
    expect(result.stdout).toMatch(/value: 10 bins over \[-?[\d.]+, [\d.]+\]; [\d,]+ counted; fullest \[/);
    expect(result.stdout).toContain(`→ ${dir}/h.json`);
  });

  it('are in --json as sinks[i].result, with the sink names', async () => {
    const result = await runBin(['run', spec(text, 'results-json.yaml'), '--json', '--overwrite']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as {
      sinks: { name?: string; result: Record<string, unknown> }[];
    };
    const [stats, quantiles, histogram, written] = summary.sinks;
    expect(stats.name).toBe('summary');
    expect(stats.result).toMatchObject({
      columns: { value: { count: expect.any(Number), mean: expect.any(Number) } },
    });
    expect(quantiles.result).toMatchObject({
      columns: [{ column: 'value', quantiles: { '0.1': expect.any(Number) } }],
    });
    expect((histogram.result.counts as number[]).length).toBe(10);
    expect(written.result).toEqual(JSON.parse(readFileSync(`${dir}/h.json`, 'utf8')));
  });
});

describe('how to call sluice, and where to read on', () => {
  const readme = readFileSync('README.md', 'utf8');
  const pipelines = readdirSync('pipelines').map((f) => readFileSync(join('pipelines', f), 'utf8'));

  it('every example command in the README and pipelines/ is `npx sluice …`, which the package bin provides', () => {
    expect(pkg.bin.sluice).toBe('bin/sluice.js');
    const readmeExamples = (readme.match(/```[a-z]*\n[\s\S]*?```/g) ?? []).join('\n');
    expect(readmeExamples).toContain('npx sluice');
    for (const text of [readmeExamples, ...pipelines]) {
      const bare = text.match(
        /(?<![\w-])(?<!npx )sluice (run|validate|plan|inspect|stages|test|schema|reflectron)\b/g,
      );
      expect(bare ?? [], 'commands without npx').toEqual([]);
    }
    expect(readme).toContain('npx sluice run pipelines/');
    expect(readme).toContain('npm link');
  });

  it("the README's spec is valid and its tests pass", async () => {
    const yaml = readme.match(/## A spec\n\n```yaml\n([\s\S]*?)```/)![1];
    const result = await runBin(['test', spec(yaml, 'readme.yaml')]);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('  ok    mean of four values');
  });

  it('the README is for newcomers; the design notes and the stage reference are in docs/', () => {
    expect(readme.split('\n').length).toBeLessThan(400);
    expect(readme).not.toContain('| key | type | default | description |');
    expect(readme).not.toContain('../shared/DESIGN.md');
    expect(readme).not.toContain('STAGES:BEGIN');
    expect(readme).toContain('docs/design.md');
    expect(readme).toContain('docs/stages.md');
    const design = readFileSync('docs/design.md', 'utf8');
    expect(design).toMatch(/`io: auto`, the\s+default, is `read`/);
    expect(existsSync('docs/stages.md')).toBe(true);
    // Comments cite the notes where they now are.
    const cites = readdirSync('src', { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
      .filter((t) => t.includes('docs/design.md §'));
    expect(cites.length).toBeGreaterThan(10);
  });

  it("npm start ends with one line of what to try next on the user's own file, and those commands work", async () => {
    expect(NEXT_STEP.split('\n')).toHaveLength(1);
    expect(NEXT_STEP).toContain('YOUR_FILE');
    const commands = NEXT_STEP.match(/npx sluice [^,(]+?(?=,| \(|$| then)/g) ?? [];
    expect(commands.length).toBe(2);
    const cwd = mkdtempSync(join(tmpdir(), 'sluice-next-'));
    for (const command of commands) {
      const argv = command
        .replace('npx sluice ', '')
        .replace(/YOUR_FILE(\.npy)?/, SIGNAL)
        .replace('pipelines/', `${resolve('pipelines')}/`)
        .split(' ');
      const result = await runBin(argv, { cwd });
      expect(result.stderr).toBe('');
      expect(result.code, command).toBe(0);
    }
    expect(readdirSync(join(cwd, 'out/demo')).sort()).toEqual([
      'hist.json',
      'psd.npy',
      'psd.svg',
      'stats.json',
    ]);
  });
});
