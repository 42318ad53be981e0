import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
});

function writeSpec(text: string, name = 'spec.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function specFor(input: string, extra = ''): string {
  return writeSpec(`
source: { type: npy, path: ${input}, chunkRows: 1000 }
sinks:
  - { type: stats, out: ${dir}/out/stats.json }
  - { type: histogram, column: value, bins: 20, out: ${dir}/out/hist.json }
${extra}`);
}

/** No file under the final names and no temporary file left behind. */
function expectNoOutputs(): void {
  const out = join(dir, 'out');
  expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
}

describe('sluice run', () => {
  it('runs a spec and prints one JSON summary with --json', async () => {
    const result = await runCli(['run', specFor('test/fixtures/npy/f4-sine.npy'), '--json']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]);
    expect(summary).toMatchObject({ ok: true, rowsRead: 10007, passes: 2 });
    expect(summary.sinks.map((s: { rows: number }) => s.rows)).toEqual([10007, 10007]);
    expect(summary.outputs).toEqual([`${dir}/out/stats.json`, `${dir}/out/hist.json`]);
    const stats = JSON.parse(readFileSync(`${dir}/out/stats.json`, 'utf8'));
    expect(stats.columns.value.count + stats.columns.value.nanCount).toBe(10007);
  });

  it('prints a readable summary and refuses to overwrite without --overwrite', async () => {
    const spec = specFor('test/fixtures/npy/f4-sine.npy');
    const first = await runCli(['run', spec]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/10,007 rows/);
    expect(first.stdout).toContain(`${dir}/out/hist.json`);
    const again = await runCli(['run', spec]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('OUTPUT_EXISTS');
    expect((await runCli(['run', spec, '--overwrite', '--quiet'])).code).toBe(0);
  });

  it('applies --set, --chunk-rows and --io', async () => {
    const spec = specFor('nowhere.npy');
    const result = await runCli([
      'run',
      spec,
      '--set',
      'source.path=test/fixtures/npy/f8-be.npy',
      '--chunk-rows',
      '7',
      '--io',
      'read',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rowsRead: 5003, source: { backend: 'read' } });
  });

  it.each([
    ['bad-magic.npy', 'FORMAT_INVALID'],
    ['bad-header-syntax.npy', 'FORMAT_INVALID'],
    ['bad-truncated.npy', 'SIZE_MISMATCH'],
    ['bad-object.npy', 'FORMAT_UNSUPPORTED'],
  ])('refuses %s with %s, exit 1, no stack trace, no output', async (file, code) => {
    const result = await runCli(['run', specFor(`test/fixtures/npy/${file}`)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error ${code}`);
    expect(result.stderr).toContain(`test/fixtures/npy/${file}`);
    expect(result.stderr).toContain('hint:');
    expect(result.stderr).not.toMatch(/\n\s+at .*\.ts:\d+/);
    expectNoOutputs();
  });

  it.each([
    ['bad YAML', 'source: { type: npy\nsinks: []', 'SPEC_SYNTAX', 'spec.yaml:'],
    [
      'an unknown key',
      'source: { type: npy, path: x.npy, chunkRow: 5 }\nsinks: [{ type: stats }]',
      'PARAMS_INVALID',
      "Did you mean 'chunkRows'",
    ],
    [
      'an unknown stage',
      'source: { type: npy, path: x.npy }\nsinks: [{ type: histgram, column: value }]',
      'STAGE_UNKNOWN',
      "did you mean 'histogram'",
    ],
    [
      'a missing input',
      'source: { type: npy, path: missing.npy }\nsinks: [{ type: stats }]',
      'INPUT_MISSING',
      'spec.yaml:1:',
    ],
  ])('refuses %s with exit 2', async (_label, text, code, detail) => {
    const result = await runCli(['run', writeSpec(text)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error ${code}`);
    expect(result.stderr).toContain(detail);
    expectNoOutputs();
  });

  it('reports an unknown column at its place in the spec, before reading data', async () => {
    const text =
      'source: { type: npy, path: test/fixtures/npy/f4-sine.npy }\nsinks:\n  - { type: histogram, column: valeu }\n';
    const result = await runCli(['run', writeSpec(text)]);
    expect(result.code).toBe(2);
    // At the param that names it.
    expect(result.stderr).toContain('error COLUMN_UNKNOWN: sinks[0].column');
    expect(result.stderr).toContain('spec.yaml:3:32');
    expect(result.stderr).toContain("Did you mean 'value'?");
  });

  it('refuses an output it cannot write before reading any data', async () => {
    const text =
      'source: { type: npy, path: test/fixtures/npy/f4-sine.npy }\nsinks:\n  - { type: histogram, column: value, out: test/fixtures/npy/f4-sine.npy/h.json }\n';
    const result = await runCli(['run', writeSpec(text)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error IO_WRITE: sinks[0]');
  });

  it('shows the stack only with --verbose', async () => {
    const spec = specFor('test/fixtures/npy/bad-magic.npy');
    const verbose = await runCli(['run', spec, '--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});

describe('sluice validate, plan, inspect, stages', () => {
  it('validates with the source header, reading no data', async () => {
    const result = await runCli(['validate', specFor('test/fixtures/npy/f4-sine.npy')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('valid');
    // A header run would refuse is refused by validate too.
    const bad = await runCli(['validate', specFor('test/fixtures/npy/bad-magic.npy')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error FORMAT_INVALID');
  });

  it('plans with defaults, overlap, passes and memory', async () => {
    const result = await runCli(['plan', specFor('test/fixtures/npy/f4-sine.npy'), '--json']);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.source.params).toMatchObject({ chunkRows: 1000, io: 'auto', startRow: 0 });
    expect(plan.sinks[1].params).toMatchObject({ bins: 20, column: 'value' });
    expect(plan).toMatchObject({ overlap: 0, passes: 2 });
    expect(plan.estimatedPeakBytes).toBeGreaterThan(0);
  });

  it('inspects an NPY file from its header', async () => {
    const result = await runCli(['inspect', 'test/fixtures/npy/c2d-i2.npy', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ format: 'npy', rows: 1001 });
    expect(report.schema.columns.map((c: { name: string }) => c.name)).toEqual(['c0', 'c1', 'c2']);
    expect(report.head.c0).toHaveLength(5);
  });

  it('inspects a raw file given its dtype', async () => {
    const args = [
      'inspect',
      'test/fixtures/raw/i2-be-3ch.raw',
      '--set',
      'dtype=int16',
      '--set',
      'endian=big',
    ];
    const result = await runCli([...args, '--set', 'channels=[x, y, z]']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('rows 10,007');
    const bare = await runCli(['inspect', 'test/fixtures/raw/i2-be-3ch.raw']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('dtype');
  });

  it('lists stages and describes one', async () => {
    const all = await runCli(['stages']);
    expect(all.stdout).toMatch(/^histogram\s+sink\s+Counts values/m);
    expect((await runCli(['stages', 'histogram'])).stdout).toContain('`histogram` (sink)');
    const one = await runCli(['stages', 'histogram', '--json']);
    const [doc] = JSON.parse(one.stdout);
    expect(doc.params.map((p: { key: string }) => p.key)).toEqual(
      expect.arrayContaining(['column', 'bins', 'range', 'out']),
    );
    expect((await runCli(['stages', 'histgram'])).code).toBe(2);
  });

  it('lists the reflectron presets', async () => {
    const result = await runCli(['reflectron', '--list-instruments', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toContain('4000XHR_Erlangen_56_4833');
  });

  it('exits 2 on bad usage', async () => {
    expect((await runCli([])).code).toBe(2);
    expect((await runCli(['run'])).code).toBe(2);
    expect((await runCli(['frobnicate'])).code).toBe(2);
  });
});
