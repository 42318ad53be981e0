import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-report-'));
  mkdirSync(join(dir, 'in'));
  copyFileSync('test/fixtures/npy/f4-sine.npy', join(dir, 'in', 'a.npy'));
  copyFileSync('test/fixtures/npy/f8-be.npy', join(dir, 'in', 'b.npy'));
  copyFileSync('test/fixtures/npy/bad-magic.npy', join(dir, 'in', 'c.npy'));
});

function spec(path: string, extra = ''): string {
  const file = join(dir, 'spec.yaml');
  writeFileSync(
    file,
    [
      'name: report-test',
      `source: { type: npy, path: '${path}', sampleRate: 1000 }`,
      'sinks:',
      `  - { type: stats, out: '${dir}/out/{stem}_stats.json' }`,
      '  - { type: histogram, column: value, bins: 20 }',
      `  - { type: plot, of: { type: welch, nperseg: 256 }, out: '${dir}/out/{stem}_psd.svg', db: true }`,
      extra,
    ].join('\n'),
  );
  return file;
}

describe('sluice run --report', () => {
  it('writes one self-contained page: the spec as run, the input, each sink’s result and plots', async () => {
    const report = join(dir, 'report.html');
    const result = await runCli([
      'run',
      spec(`${dir}/in/a.npy`),
      '--set',
      'sinks[1].bins=25',
      '--report',
      report,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`report: ${report}`);
    const html = readFileSync(report, 'utf8');
    const stats = JSON.parse(readFileSync(`${dir}/out/a_stats.json`, 'utf8')).columns.value;
    expect(html).toContain('<h1>report-test</h1>');
    expect(html).toContain('10,007'); // rows read
    expect(html).toContain(`<td class="num">${Number(stats.mean.toPrecision(7))}</td>`);
    expect(html).toContain('bins: 25'); // the spec after --set
    expect(html).toContain(`${dir}/in/a.npy`);
    expect(html).toContain('SHA-256');
    expect(html).toContain(readFileSync(`${dir}/out/a_psd.svg`, 'utf8').match(/<polyline[^>]*>/)![0]);
    expect(html.match(/<figure class="plot-figure"><svg /g)).toHaveLength(2); // the histogram drawn, the plot's SVG
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('takes the spec’s report:, checks it like an output, and names it in --json', async () => {
    const report = join(dir, 'from-spec.html');
    const file = spec(`${dir}/in/a.npy`, `report: '${report}'`);
    const json = JSON.parse((await runCli(['run', file, '--json'])).stdout);
    expect(json.report).toBe(report);
    expect(existsSync(report)).toBe(true);
    const again = await runCli(['run', file, '--overwrite', '--report', report.replace('.html', '2.html')]);
    expect(again.code).toBe(0);
    expect(existsSync(report.replace('.html', '2.html'))).toBe(true);
    const exists = await runCli(['run', spec(`${dir}/in/b.npy`, `report: '${report}'`)]);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toContain('OUTPUT_EXISTS');
    expect(exists.stderr).toContain('report exists');
  });

  it('refuses a report outside --root or one a sink writes, before anything runs', async () => {
    const outside = await runCli([
      'run',
      spec(`${dir}/in/a.npy`),
      '--root',
      dir,
      '--report',
      join(tmpdir(), 'r.html'),
    ]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('PATH_OUTSIDE_ROOT');
    const clash = join(dir, 'clash.yaml');
    writeFileSync(
      clash,
      `source: { type: npy, path: '${dir}/in/a.npy' }\nsinks:\n  - { type: plot, of: { type: histogram, column: value }, out: '${dir}/p.svg' }\n`,
    );
    const both = await runCli(['run', clash, '--report', `${dir}/p.svg`]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("is also a sink's output");
    expect(existsSync(`${dir}/out`)).toBe(false);
  });

  it('refuses a report that is not .html, with its line', async () => {
    const result = await runCli(['run', spec(`${dir}/in/a.npy`, `report: ${dir}/r.txt`)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/SPEC_INVALID: report: report must end in \.html/);
    expect(result.stderr).toContain('spec.yaml:7');
  });

  it('the shipped JSON Schema takes report: and refuses a report that is not .html', () => {
    const validate = new Ajv2020().compile(JSON.parse(readFileSync('schema/spec.schema.json', 'utf8')));
    const good = { source: { type: 'npy', path: 'x.npy' }, sinks: [{ type: 'stats' }] };
    expect(validate({ ...good, report: 'out/run.html' })).toBe(true);
    expect(validate({ ...good, report: 'out/run.txt' })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain('/report');
  });

  it('over many files: one report, a row and a section per file, the failure with its error', async () => {
    const report = join(dir, 'many.html');
    const result = await runCli(['run', spec(`${dir}/in/*.npy`), '--report', report]);
    expect(result.code).toBe(1); // c.npy is not an .npy file
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('Input files (3)');
    expect(html).toContain('2 ok, 0 skipped, 1 failed');
    for (const [n, name] of [
      [1, 'a.npy'],
      [2, 'b.npy'],
      [3, 'c.npy'],
    ]) {
      expect(html).toMatch(new RegExp(`<a class="mono" href="#file-${n}">[^<]*/in/${name}</a>`));
      expect(html).toContain(`<section class="run" id="file-${n}">`);
    }
    expect(html).toContain('<code>FORMAT_INVALID</code>');
    expect(html.match(/<figure class="plot-figure">/g)).toHaveLength(4);
    // A rerun skips the files done and replaces the report, saying so.
    const again = await runCli(['run', spec(`${dir}/in/*.npy`), '--report', report]);
    expect(again.code).toBe(1);
    expect(readFileSync(report, 'utf8')).toContain('0 ok, 2 skipped, 1 failed');
  });
});
