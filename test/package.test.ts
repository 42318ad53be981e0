/**
 * What a user installs: tsx and esbuild are not runtime dependencies (tsx is a devDependency
 * for running src/ in a clone), dist/ is built at install (`prepare`), and bin/sluice.js runs
 * dist/ under plain node without ever loading tsx, even where src/ is newer than dist/. The
 * package is assembled here as npm would pack it (bin/, dist/, schema/, presets/, package.json),
 * with a resolve hook that fails any import of tsx or esbuild.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
  files: string[];
};
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sluice-package-'));
const installed = join(dir, 'node_modules', 'sluice');

const HOOKS = `export async function resolve(specifier, context, next) {
  if (/^(tsx|esbuild)(\\/|$)/.test(specifier)) throw new Error('the installed package imported ' + specifier);
  return next(specifier, context);
}
`;

/** node --import (a hook refusing tsx and esbuild) <installed>/bin/sluice.js ARGS */
async function sluice(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', join(dir, 'no-tsx.mjs'), join(installed, 'bin', 'sluice.js'), ...args],
      { cwd: dir, timeout: 120_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  mkdirSync(installed, { recursive: true });
  for (const entry of ['bin', 'schema', 'presets', 'package.json'])
    cpSync(entry, join(installed, entry), { recursive: true });
  // `prepare` builds dist/ at install; built here from the sources, as npm would.
  await run(
    process.execPath,
    [
      resolve('node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(installed, 'dist'),
    ],
    {
      timeout: 300_000,
    },
  );
  writeFileSync(join(installed, 'dist', '.build-stamp'), `${new Date().toISOString()}\n`);
  // The package's dependencies resolve from the repository's node_modules (tsx among them: the hook refuses it).
  symlinkSync(resolve('node_modules'), join(installed, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
  writeFileSync(
    join(dir, 'no-tsx.mjs'),
    `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
  );
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the installed package', () => {
  it('has no tsx or esbuild among its runtime dependencies, and builds dist/ at install', () => {
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    expect(Object.keys(pkg.dependencies).filter((d) => d.includes('esbuild'))).toEqual([]);
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(pkg.scripts.prepare).toMatch(/scripts\/build\.js/);
    expect(pkg.files).toEqual(expect.arrayContaining(['bin/', 'dist/', 'schema/']));
  });

  it('runs dist/ without loading tsx: --version, schema, a run on worker threads', async () => {
    expect(await sluice(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const schema = await sluice(['schema']);
    expect(schema.code).toBe(0);
    expect(JSON.parse(schema.stdout)).toEqual(JSON.parse(readFileSync('schema/spec.schema.json', 'utf8')));
    const spec = join(dir, 'welch.yaml');
    writeFileSync(
      spec,
      `source: { type: npy, path: ${resolve('test/fixtures/npy/spectral-f32.npy')} }\nsinks: [{ type: welch, nperseg: 256 }]\n`,
    );
    const result = await sluice(['run', spec, '--workers', '2', '--verbose', '--json']);
    expect(result.stderr).not.toContain('imported tsx');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('main pass on 2 threads');
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true });
  });

  it('runs dist/ when src/ is newer but tsx is not there, and says what to do when neither is', async () => {
    mkdirSync(join(installed, 'src'), { recursive: true });
    writeFileSync(join(installed, 'src', 'edited.ts'), 'export {};\n');
    const newer = await sluice(['--version', '--verbose']);
    expect(newer).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    expect(newer.stderr).toContain('tsx is not installed; running dist/');
    rmSync(join(installed, 'dist'), { recursive: true });
    const neither = await sluice(['--version']);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('run `npm run build`');
  });
});
