import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-many-'));
  mkdirSync(join(dir, 'in', 'sub'), { recursive: true });
  copyFileSync('test/fixtures/npy/f4-sine.npy', join(dir, 'in', 'a.npy'));
  copyFileSync('test/fixtures/npy/f8-be.npy', join(dir, 'in', 'b.npy'));
  copyFileSync('test/fixtures/npy/bad-magic.npy', join(dir, 'in', 'c.npy'));
  copyFileSync('test/fixtures/npy/i2-le.npy', join(dir, 'in', 'sub', 'd.npy'));
});

function spec(path: string, extra = ''): string {
  const file = join(dir, 'spec.yaml');
  writeFileSync(
    file,
    `source: { type: npy, path: '${path}'${extra} }\nsinks:\n  - { type: stats, out: '${dir}/out/{stem}_stats.json' }\n`,
  );
  return file;
}

describe('sluice run over many files', () => {
  it('runs once per glob match, names outputs from {stem}, reports each file and a total', async () => {
    const result = await runCli(['run', spec(`${dir}/in/*.npy`)]);
    expect(result.code).toBe(1); // c.npy is not an .npy file
    expect(result.stdout).toMatch(/\[1\/3\] ok .*a\.npy → .*a_stats\.json \(10,007 rows/);
    expect(result.stdout).toMatch(/\[2\/3\] ok .*b\.npy/);
    expect(result.stdout).toMatch(/\[3\/3\] FAILED .*c\.npy: FORMAT_INVALID/);
    expect(result.stdout).toContain('total: 3 files — 2 ok, 0 skipped, 1 failed');
    expect(result.stderr).toContain('c.npy');
    expect(JSON.parse(readFileSync(`${dir}/out/b_stats.json`, 'utf8')).columns.value.count).toBe(5003);
    expect(existsSync(`${dir}/out/c_stats.json`)).toBe(false);
  });

  it('skips files whose outputs exist unless --overwrite, and --fail-fast stops at the first failure', async () => {
    await runCli(['run', spec(`${dir}/in/*.npy`)]);
    const again = await runCli(['run', spec(`${dir}/in/*.npy`), '--json']);
    const summary = JSON.parse(again.stdout);
    expect(summary.counts).toEqual({ ok: 0, skipped: 2, failed: 1, planned: 0 });
    expect(summary.files.map((f: { status: string }) => f.status)).toEqual(['skipped', 'skipped', 'failed']);
    const overwrite = JSON.parse(
      (await runCli(['run', spec(`${dir}/in/*.npy`), '--overwrite', '--json'])).stdout,
    );
    expect(overwrite.counts.ok).toBe(2);
    writeFileSync(join(dir, 'in', 'a.npy'), 'broken');
    const fast = JSON.parse(
      (await runCli(['run', spec(`${dir}/in/*.npy`), '--overwrite', '--fail-fast', '--json'])).stdout,
    );
    expect(fast.files).toHaveLength(1);
    expect(fast.counts.failed).toBe(1);
  });

  it('reads a directory, recursively when asked, and --dry-run writes nothing', async () => {
    const flat = JSON.parse((await runCli(['run', spec(`${dir}/in`), '--dry-run', '--json'])).stdout);
    expect(flat.files.map((f: { status: string }) => f.status)).toEqual(['planned', 'planned', 'planned']);
    const deep = JSON.parse(
      (await runCli(['run', spec(`${dir}/in`, ', recursive: true'), '--dry-run', '--json'])).stdout,
    );
    expect(deep.files.map((f: { input: string }) => f.input.slice(dir.length))).toEqual([
      '/in/a.npy',
      '/in/b.npy',
      '/in/c.npy',
      '/in/sub/d.npy',
    ]);
    expect(existsSync(`${dir}/out`)).toBe(false);
  });

  it('refuses an output without a template when the source names several files', async () => {
    const file = join(dir, 'fixed.yaml');
    writeFileSync(
      file,
      `source: { type: npy, path: '${dir}/in/*.npy' }\nsinks:\n  - { type: stats, out: ${dir}/same.json }\n`,
    );
    const result = await runCli(['run', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SPEC_INVALID');
    expect(result.stderr).toContain('{stem}');
  });

  it('refuses a glob that matches nothing', async () => {
    const result = await runCli(['run', spec(`${dir}/in/*.nothing`)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('INPUT_MISSING');
  });
});
