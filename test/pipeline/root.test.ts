/**
 * `--root DIR` / `{ root }`: every input and output a spec names must be inside DIR once
 * symbolic links are followed, or nothing runs (PATH_OUTSIDE_ROOT, naming the path and its
 * place in the spec). Off by default.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.ts';
import { run, runSpec, validateSpecFile } from '../../src/pipeline/api.ts';
import { parseSpecText } from '../../src/pipeline/spec-document.ts';
import { validateSpec } from '../../src/pipeline/validate.ts';
import { registry } from '../../src/stages.ts';
import { runCli } from '../support/cli.ts';

const FIXTURE = 'test/fixtures/npy/f4-sine.npy';
let base: string;
let root: string;
let outside: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'sluice-root-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  mkdirSync(join(root, 'data'), { recursive: true });
  mkdirSync(join(root, 'globbed'), { recursive: true });
  mkdirSync(outside);
  copyFileSync(FIXTURE, join(root, 'data', 'a.npy'));
  copyFileSync(FIXTURE, join(root, 'data', 'b.npy'));
  copyFileSync(FIXTURE, join(outside, 'o.npy'));
  copyFileSync(FIXTURE, join(root, 'globbed', 'in.npy'));
  symlinkSync(outside, join(root, 'escape')); // a directory link leading out
  symlinkSync(join(root, 'data'), join(root, 'inner')); // one staying in
  symlinkSync(join(outside, 'o.npy'), join(root, 'globbed', 'linked.npy')); // a file link leading out
});

function specText(input: string, out: string): string {
  return `source: { type: npy, path: '${input}' }\nsinks:\n  - { type: stats, out: '${out}' }\n`;
}

function validateWithRoot(input: string, out: string, dir = root) {
  return validateSpec(parseSpecText(specText(input, out), 'spec.yaml'), registry, { root: dir });
}

function errorOf(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SluiceError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('--root', () => {
  it('accepts paths inside it, through a link that stays inside, and outputs not created yet', () => {
    const plan = validateWithRoot(join(root, 'inner', 'a.npy'), join(root, 'out', 'new', 'stats.json'));
    expect(plan.inputs.files).toEqual([join(root, 'inner', 'a.npy')]);
    const globbed = validateWithRoot(join(root, 'data', '*.npy'), join(root, 'out', '{stem}.json'));
    expect(globbed.inputs.files.map((file) => basename(file))).toEqual(['a.npy', 'b.npy']);
  });

  it.each([
    [
      'a relative output climbing out',
      () => [join(root, 'data/a.npy'), '../../x.json'],
      'sinks[0].out',
      3,
      '',
    ],
    [
      'an output climbing out of root',
      () => [join(root, 'data/a.npy'), `${root}/out/../../x.json`],
      'sinks[0].out',
      3,
      '',
    ],
    [
      'an absolute output outside',
      () => [join(root, 'data/a.npy'), join(outside, 's.json')],
      'sinks[0].out',
      3,
      '',
    ],
    ['an absolute input outside', () => [join(outside, 'o.npy'), join(root, 's.json')], 'source.path', 1, ''],
    [
      'an output in a linked directory leading out',
      () => [join(root, 'data/a.npy'), join(root, 'escape/s.json')],
      'sinks[0].out',
      3,
      'symbolic link',
    ],
    [
      'an output beside a link, as the system resolves ..',
      () => [join(root, 'data/a.npy'), `${root}/escape/../s.json`],
      'sinks[0].out',
      3,
      'symbolic link',
    ],
    [
      'an input through a linked directory',
      () => [join(root, 'escape/o.npy'), join(root, 's.json')],
      'source.path',
      1,
      'symbolic link',
    ],
    [
      'a missing input outside (not INPUT_MISSING)',
      () => [join(outside, 'none.npy'), join(root, 's.json')],
      'source.path',
      1,
      '',
    ],
    [
      'a glob whose base is outside',
      () => [join(outside, '*.npy'), join(root, '{stem}.json')],
      'source.path',
      1,
      '',
    ],
    [
      'a glob matching a file link leading out',
      () => [join(root, 'globbed/*.npy'), join(root, 'out/{stem}.json')],
      'source.path',
      1,
      'symbolic link',
    ],
    [
      'a {dir} template leading out',
      () => [join(root, 'data/*.npy'), '{dir}/../../{stem}.json'],
      'sinks[0].out',
      3,
      '',
    ],
  ])('refuses %s', (_label, paths, pointer, line, why) => {
    const [input, out] = paths();
    const error = errorOf(() => validateWithRoot(input, out));
    expect(error).toMatchObject({ code: 'PATH_OUTSIDE_ROOT', path: 'spec.yaml', line, exitCode: 2 });
    expect(error.message).toMatch(
      new RegExp(`^${pointer.replace(/[[\]]/g, '\\$&')}: .* is outside --root ${root}`),
    );
    expect(error.message).toContain(why);
    expect(error.hint).toContain(`inside ${root}`);
  });

  it('is off by default', () => {
    const spec = parseSpecText(specText(join(outside, 'o.npy'), join(outside, 's.json')), 'spec.yaml');
    expect(validateSpec(spec, registry).sinks).toHaveLength(1);
  });

  it('must name an existing directory', () => {
    const error = errorOf(() =>
      validateWithRoot(join(root, 'data/a.npy'), join(root, 's.json'), join(base, 'no')),
    );
    expect(error.code).toBe('USAGE');
  });
});

describe('root in the API', () => {
  it('run() refuses before opening anything, and runs inside', async () => {
    const out = join(outside, 'api', 'stats.json');
    const definition = {
      source: { type: 'npy', path: join(root, 'data/a.npy') },
      sinks: [{ type: 'stats', out }],
    };
    await expect(run(definition, { root })).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    expect(existsSync(join(outside, 'api'))).toBe(false);
    const inside = { ...definition, sinks: [{ type: 'stats', out: join(root, 'api', 'stats.json') }] };
    const report = await run(inside, { root });
    expect(report.sinks[0].outputs).toEqual([join(root, 'api', 'stats.json')]);
  });

  it('runSpec and validateSpecFile refuse with the spec line', async () => {
    const spec = join(base, 'api-spec.yaml');
    writeFileSync(spec, specText(join(root, 'data/a.npy'), join(root, 'escape/x.json')));
    await expect(validateSpecFile(spec, { root })).rejects.toMatchObject({
      code: 'PATH_OUTSIDE_ROOT',
      path: spec,
      line: 3,
    });
    await expect(runSpec(spec, { root })).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    expect(readdirSync(outside)).toEqual(['o.npy']);
  });
});

describe('--root in the CLI', () => {
  it('validate, plan and run refuse a path outside with exit 2', async () => {
    const spec = join(base, 'cli-spec.yaml');
    writeFileSync(spec, specText(join(root, 'data/a.npy'), join(outside, 'cli.json')));
    for (const command of ['validate', 'plan', 'run']) {
      const result = await runCli([command, spec, '--root', root]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `error PATH_OUTSIDE_ROOT: sinks[0].out: ${join(outside, 'cli.json')} is outside`,
      );
      expect(result.stderr).toContain(`${spec}:3:`);
    }
    expect(existsSync(join(outside, 'cli.json'))).toBe(false);
    expect((await runCli(['validate', spec])).code).toBe(0);
  });

  it('run accepts a spec inside, also when --set moves the output', async () => {
    const spec = join(base, 'cli-inside.yaml');
    writeFileSync(spec, specText(join(root, 'data/a.npy'), join(root, 'cli', 'a.json')));
    expect((await runCli(['run', spec, '--root', root, '--quiet'])).code).toBe(0);
    const moved = await runCli(['run', spec, '--root', root, '--set', `sinks[0].out=${outside}/moved.json`]);
    expect(moved.code).toBe(2);
    expect(moved.stderr).toContain('PATH_OUTSIDE_ROOT');
  });
});
