/**
 * The house (src/README.md) stays the house: the dependency rules fire on a tree that breaks
 * them (so `npm run lint:house` really guards src/), and no file or folder grows out of shape.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const CRUISER = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function violations(cwd: string): string[] {
  const result = spawnSync(
    process.execPath,
    [CRUISER, 'src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'],
    { cwd, encoding: 'utf8' },
  );
  const report = JSON.parse(result.stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations.map((v) => `${v.rule.name} ${v.from} -> ${v.to}`).sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|js)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

function lineCount(file: string): number {
  return readFileSync(join(ROOT, file), 'utf8').split('\n').length - 1;
}

describe('the house', () => {
  it('names every broken rule in a tree that breaks them', () => {
    expect(violations(join(ROOT, 'test/fixtures/house'))).toEqual([
      'core-imports-library src/core/batch.ts -> src/dsp/util/window.ts',
      'grab-bag-folder src/core/batch.ts -> src/dsp/util/window.ts',
      'library-imports-upward src/stats/reads-a-stage.ts -> src/sinks/counts.ts',
      'no-cycle src/pipeline/first.ts -> src/pipeline/second.ts',
    ]);
  });

  it('has no import of a stage from a library, and no cycle, in src/', () => {
    expect(violations(ROOT)).toEqual([]);
  });

  it('has no file over 400 lines and no stage over 200', () => {
    const files = sourceFiles(join(ROOT, 'src'));
    expect(files.filter((f) => lineCount(f) > 400)).toEqual([]);
    const stages = files.filter((f) => /^src\/(sources|transforms|sinks)\//.test(f));
    expect(stages.filter((f) => lineCount(f) > 200)).toEqual([]);
  });

  it('has no grab-bag folder', () => {
    const folders = readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isDirectory() && /^(util|utils|helpers|common)$/.test(entry.name))
      .map((entry) => entry.name);
    expect(folders).toEqual([]);
  });
});
