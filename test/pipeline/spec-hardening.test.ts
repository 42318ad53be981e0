/**
 * Bad input never crashes: YAML alias bombs, undefined aliases, duplicate keys, deep nesting,
 * hostile `--set` overrides and specs with thousands of problems all end in one SluiceError
 * with a stable code, a place and a hint.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.ts';
import { loadSpecFile, parseSetPath, parseSpecText } from '../../src/pipeline/spec-document.ts';
import { MAX_ALIAS_NODES, MAX_ANCHORS, MAX_DEPTH } from '../../src/pipeline/spec-limits.ts';
import { MAX_LISTED_PROBLEMS, validateSpec } from '../../src/pipeline/validate.ts';
import { runCli } from '../support/cli.ts';
import { mockRegistry } from '../support/mock-stages.ts';

const GOOD = `source: { type: ramp, rows: 10 }\nsinks:\n  - type: record\n`;

function validate(text: string, set: Record<string, string | number> = {}) {
  return validateSpec(parseSpecText(text, 'spec.yaml', { env: {}, set }), mockRegistry);
}

function errorOf(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SluiceError) return error;
    throw new Error(`expected a SluiceError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected an error');
}

/** Nine anchors, each a list of nine aliases of the one before: 9^9 strings when expanded. */
function laughs(levels = 9): string {
  const lines = ['l0: &l0 "lol"'];
  for (let i = 1; i < levels; i++)
    lines.push(
      `l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n${GOOD}`;
}

describe('YAML structure', () => {
  it('refuses a "billion laughs" alias bomb at the alias that crosses the limit', () => {
    const error = errorOf(() => validate(laughs()));
    expect(error).toMatchObject({ code: 'SPEC_INVALID', path: 'spec.yaml' });
    expect(error.message).toBe(`aliases expand the YAML to more than ${MAX_ALIAS_NODES} nodes`);
    expect(error.line).toBeGreaterThan(1);
    expect(error.column).toBeGreaterThan(1);
    expect(error.hint).toContain('billion laughs');
  });

  it('accepts aliases that expand to little', () => {
    const text = `base: &base { into: shared }\nsource: { type: ramp }\nsinks: [*base, *base]\n`;
    const spec = parseSpecText(text, 'spec.yaml');
    expect((spec.value as { sinks: unknown[] }).sinks).toEqual([{ into: 'shared' }, { into: 'shared' }]);
  });

  it.each([
    ['an undefined alias', `z: *nope\n${GOOD}`, 'YAML syntax: undefined alias *nope', 1, 4, '&nope'],
    ['an alias used before its anchor', `z: *a\ny: &a 1\n${GOOD}`, 'undefined alias *a', 1, 4, '&a'],
    [
      'an alias inside its own anchor',
      `z: &a [1, *a]\n${GOOD}`,
      'refers to a collection that contains it',
      1,
      11,
      '',
    ],
    [
      'a duplicate key',
      `${GOOD}source: { type: ramp }\n`,
      "YAML syntax: duplicate key 'source'",
      4,
      1,
      'once',
    ],
  ])('refuses %s as SPEC_SYNTAX at its line and column', (_label, text, message, line, column, hint) => {
    const error = errorOf(() => validate(text));
    expect(error).toMatchObject({ code: 'SPEC_SYNTAX', path: 'spec.yaml', line, column });
    expect(error.message).toContain(message);
    expect(error.hint).toContain(hint);
  });

  it(`refuses more than ${MAX_ANCHORS} anchors and aliases`, () => {
    const anchors = Array.from({ length: MAX_ANCHORS + 1 }, (_, i) => `a${i}: &a${i} ${i}`).join('\n');
    const error = errorOf(() => validate(`${anchors}\n${GOOD}`));
    expect(error).toMatchObject({ code: 'SPEC_INVALID', line: MAX_ANCHORS + 1, column: 15 });
    expect(error.message).toContain(`more than ${MAX_ANCHORS} anchors and aliases`);
  });

  it(`refuses nesting deeper than ${MAX_DEPTH} levels, and nesting too deep to parse`, () => {
    const deep = `deep: ${'['.repeat(MAX_DEPTH + 1)}${']'.repeat(MAX_DEPTH + 1)}\n${GOOD}`;
    expect(errorOf(() => validate(deep))).toMatchObject({
      code: 'SPEC_INVALID',
      message: `the YAML nests deeper than ${MAX_DEPTH} levels`,
      line: 1,
      column: 6 + MAX_DEPTH,
    });
    const abyss = `deep: ${'['.repeat(20_000)}\n${GOOD}`;
    const error = errorOf(() => validate(abyss));
    expect(error.code).toBe('SPEC_SYNTAX');
    expect(error.message).toMatch(/^YAML syntax: /);
    expect(error.hint).toBeDefined();
  });

  it('refuses a spec file that is not a regular file, or too big to be a spec', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-spec-file-'));
    await expect(loadSpecFile(dir)).rejects.toMatchObject({ code: 'INPUT_MISSING', path: dir });
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `# ${'x'.repeat(17 * 1024 * 1024)}\n`);
    await expect(loadSpecFile(big)).rejects.toMatchObject({ code: 'SPEC_INVALID', path: big });
  });
});

describe('--set', () => {
  it.each([
    [
      'an unclosed list',
      'a.b.c',
      '[1',
      'SPEC_SYNTAX',
      '--set a.b.c: the value is not valid YAML: Flow sequence must end with a ]',
    ],
    [
      '2,000 nested lists',
      'a',
      '['.repeat(2000),
      'SPEC_SYNTAX',
      `it nests too deeply (at most ${MAX_DEPTH} levels)`,
    ],
    [
      'closed but deep lists',
      'a',
      `${'['.repeat(100)}${']'.repeat(100)}`,
      'SPEC_INVALID',
      `--set a: the YAML nests deeper than ${MAX_DEPTH} levels`,
    ],
    ['an undefined alias', 'a', '*nope', 'SPEC_SYNTAX', '--set a: YAML syntax: undefined alias *nope'],
    [
      'a key into a scalar',
      'source.path.x',
      '1',
      'SPEC_INVALID',
      `--set source.path.x: source.path is "p", not a map or a list, so it has no 'x'`,
    ],
    [
      'an index far past the end',
      'sinks[999999999].x',
      '1',
      'SPEC_INVALID',
      '--set sinks[999999999].x: sinks[999999999] is past the end of sinks, which has 1 item',
    ],
    [
      'an index two past the end',
      'sinks[2].type',
      'record',
      'SPEC_INVALID',
      'sinks[2] is past the end of sinks',
    ],
    [
      'an index into a new list',
      'extra[3]',
      '1',
      'SPEC_INVALID',
      '--set extra[3]: extra is not a list yet, so its first index is 0, not 3',
    ],
    [
      'a key on a list',
      'sinks.type',
      'record',
      'SPEC_INVALID',
      '--set sinks.type: sinks is a list: name an item as sinks[0]',
    ],
    ['a key through an alias', 'copy.x', '1', 'SPEC_INVALID', '--set copy.x: copy is an alias (*anchor)'],
    [
      'a malformed index',
      'sinks[x].into',
      'y',
      'SPEC_SYNTAX',
      "--set sinks[x].into: 'sinks[x]' is not a key or a [index]",
    ],
    [
      'a key of too many parts',
      Array(MAX_DEPTH + 1)
        .fill('k')
        .join('.'),
      '1',
      'SPEC_INVALID',
      `the key has more than ${MAX_DEPTH} parts`,
    ],
  ])('refuses %s', (_label, key, value, code, message) => {
    const text = `source: { type: ramp, path: p }\nsinks: [{ type: record }]\nanchor: &anchor { x: 0 }\ncopy: *anchor\n`;
    const error = errorOf(() => parseSpecText(text, 'spec.yaml', { set: { [key]: value } }));
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(error.hint).toBeTruthy();
  });

  it('sets existing items, appends one past the end, and fills an empty value', () => {
    const text = `source: { type: ramp }\nsteps:\nsinks: [{ type: record }]\n`;
    const plan = validate(text, {
      'sinks[0].into': 'first',
      'sinks[1].type': 'record',
      'sinks[1].into': 'second',
      'steps[0].type': 'moving-sum',
      'source.rows': 25,
    });
    expect(plan.sinks.map((sink) => sink.params.into)).toEqual(['first', 'second']);
    expect(plan.steps.map((step) => step.stage.name)).toEqual(['moving-sum']);
    expect(plan.source.params.rows).toBe(25);
    expect(parseSetPath('sinks.1.into')).toEqual(['sinks', 1, 'into']);
  });
});

describe('a spec with many problems', () => {
  const keys = (n: number, indent: string) =>
    Array.from({ length: n }, (_, i) => `${indent}k${i}: 1`).join('\n');

  it(`lists the first ${MAX_LISTED_PROBLEMS} of 50,000 unknown keys and counts the rest`, () => {
    const error = errorOf(() =>
      validate(`source:\n  type: ramp\n${keys(50_000, '  ')}\nsinks: [{ type: record }]`),
    );
    const lines = error.message.split('\n');
    expect(error).toMatchObject({ code: 'PARAMS_INVALID', path: 'spec.yaml', line: 3, column: 3 });
    expect(lines[0]).toBe("source.k0: unknown key 'k0' for ramp; and 49,999 more:");
    expect(lines.slice(1, -1)).toHaveLength(MAX_LISTED_PROBLEMS - 1);
    // Every listed problem at its own file:line:column (k49 is on line 52).
    expect(lines[MAX_LISTED_PROBLEMS - 1]).toBe("  spec.yaml:52:3: source.k49: unknown key 'k49'");
    expect(error.problems).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(lines.at(-1)).toBe(
      `  (${(50_000 - MAX_LISTED_PROBLEMS).toLocaleString('en-US')} more not listed)`,
    );
    expect(error.hint).toContain('Valid keys: path, rows, chunkRows');
  });

  it('does the same for unknown top-level keys', () => {
    const error = errorOf(() => validate(`${GOOD}${keys(50_000, '')}\n`));
    expect(error).toMatchObject({ code: 'SPEC_INVALID', line: 4, column: 1 });
    expect(error.message.split('\n')).toHaveLength(MAX_LISTED_PROBLEMS + 1);
    expect(error.message).toContain('(49,950 more not listed)');
  });

  it('lists a few problems of different kinds, without a "not listed" line', () => {
    const error = errorOf(() =>
      validate(`source: { type: ramp, rows: many, rowz: 1 }\nsinks: [{ type: record }]`),
    );
    expect(error.message.split('\n')).toEqual([
      expect.stringMatching(/^source\.rows: .*; and 1 more:$/),
      "  spec.yaml:1:35: source.rowz: unknown key 'rowz'",
    ]);
    expect(error).toMatchObject({ code: 'PARAMS_INVALID', line: 1, column: 29 });
  });
});

describe('through the CLI: exit 2, the code, a hint, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-hardening-cli-'));
  const spec = (text: string, name: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it.each([
    ['an alias bomb', [spec(laughs(), 'bomb.yaml')], 'SPEC_INVALID', 'bomb.yaml:'],
    ['an undefined alias', [spec(`z: *nope\n${GOOD}`, 'alias.yaml')], 'SPEC_SYNTAX', 'alias.yaml:1:4'],
    [
      'a --set value that is not YAML',
      [spec(GOOD, 'set.yaml'), '--set', 'a.b.c=[1'],
      'SPEC_SYNTAX',
      '--set a.b.c',
    ],
    [
      'a --set index far past the end',
      [spec(GOOD, 'far.yaml'), '--set', 'sinks[999999999].x=1'],
      'SPEC_INVALID',
      'past the end',
    ],
  ])('validate refuses %s', async (_label, args, code, detail) => {
    const result = await runCli(['validate', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error ${code}`);
    expect(result.stderr).toContain(detail);
    expect(result.stderr).toContain('hint:');
    expect(result.stderr).not.toMatch(/\n\s+at .*\.[jt]s:\d+/);
  });

  it('inspect refuses a --set value that is not YAML', async () => {
    const result = await runCli(['inspect', 'test/fixtures/raw/i2-be-3ch.raw', '--set', 'channels=[x, y']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error SPEC_SYNTAX: --set channels: the value is not valid YAML');
  });
});
