/**
 * The API writes the HTML report a pipeline names (`report:` in a definition or spec, or the
 * `report` option), as `sluice run` does: after the run, checked before it like an output.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { histogram, npy, run, runSpec, runSpecFiles, stats } from '../../src/index.ts';

const SIGNAL = 'test/fixtures/npy/f4-sine.npy';

/** A spec file in a new directory: the directory and the spec's path. */
function specIn(prefix: string, yaml: (dir: string) => string): { dir: string; spec: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const spec = join(dir, 'spec.yaml');
  writeFileSync(spec, yaml(dir));
  return { dir, spec };
}

describe('the API and `report:`', () => {
  it('run() writes the report a definition names, with its sinks and input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-api-report-'));
    const report = join(dir, 'run.html');
    const result = await run({
      name: 'api-report',
      report,
      source: npy({ path: SIGNAL, sampleRate: 1e6 }),
      sinks: [stats({}), histogram({ column: 'value', bins: 20, out: join(dir, 'hist.json') })],
    });
    expect(result.rowsRead).toBe(10007);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<title>api-report');
    expect(html).toContain('f4-sine.npy');
    expect(html).toContain('10,007');
    expect(html).toContain('histogram');
  });

  it('runSpec() takes the `report` option and refuses an existing report before running', async () => {
    const { dir, spec } = specIn(
      'sluice-api-report-spec-',
      (d) =>
        `source: { type: npy, path: ${join(process.cwd(), SIGNAL)} }\nsinks: [{ type: stats, out: ${d}/stats.json }]\n`,
    );
    const report = join(dir, 'spec.html');
    await runSpec(spec, { report });
    expect(readFileSync(report, 'utf8')).toContain('stats.json');
    const again = join(dir, 'again.json');
    await expect(runSpec(spec, { report, set: { 'sinks[0].out': again } })).rejects.toMatchObject({
      code: 'OUTPUT_EXISTS',
    });
    expect(existsSync(again)).toBe(false);
    await runSpec(spec, { report, overwrite: true });
  });

  it('runSpecFiles() reports every file of a glob', async () => {
    const { dir, spec } = specIn(
      'sluice-api-report-many-',
      (d) =>
        `source: { type: npy, path: "${join(process.cwd(), 'test/fixtures/npy')}/f4-*.npy" }\n` +
        `sinks: [{ type: stats, out: "${d}/{stem}.json" }]\nreport: ${d}/many.html\n`,
    );
    const report = join(dir, 'many.html');
    const many = await runSpecFiles(spec);
    const html = readFileSync(report, 'utf8');
    for (const file of many.files) expect(html).toContain(file.input.split('/').pop());
    expect(many.files.length).toBeGreaterThan(0);
  });
});
