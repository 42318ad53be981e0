/**
 * The API is typed per stage: a program using it correctly compiles (as do examples/), and
 * wrong ones fail to compile where they are wrong: a misspelt param, a value of the wrong type,
 * an unknown stage, a result used as what it is not. Compiled with the repository's
 * tsconfig.json, where `sluice` is src/index.ts, as an app's import would see it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const GOOD = resolve('test/fixtures/typecheck/good.ts');
const WRONG = resolve('test/fixtures/typecheck/wrong.ts');
const EXAMPLES = readdirSync('examples')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => resolve('examples', f));

function compile(files: readonly string[]): Map<string, ts.Diagnostic[]> {
  const config = ts.readConfigFile(resolve('tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, resolve('.'));
  const program = ts.createProgram(files, { ...options, noEmit: true });
  return new Map(
    files.map((file) => [file, [...ts.getPreEmitDiagnostics(program, program.getSourceFile(file))]]),
  );
}

function lineOf(d: ts.Diagnostic): number {
  return d.file!.getLineAndCharacterOfPosition(d.start!).line + 1;
}

function text(d: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, '\n');
}

describe('the TypeScript API, type-checked', () => {
  const diagnostics = compile([GOOD, WRONG, ...EXAMPLES]);

  it('compiles a correct program and the examples without an error', () => {
    for (const file of [GOOD, ...EXAMPLES]) {
      expect(diagnostics.get(file)!.map((d) => `${file}:${lineOf(d)}: ${text(d)}`)).toEqual([]);
    }
    expect(EXAMPLES.length).toBe(3);
  });

  it('refuses each wrong line of a wrong program, and only those', () => {
    const lines = readFileSync(WRONG, 'utf8').split('\n');
    const marked = new Map<number, string>();
    lines.forEach((line, i) => {
      const m = line.trim().startsWith('//') ? null : line.match(/\/\/ error: (.+)$/);
      if (m) marked.set(i + 1, m[1]);
    });
    expect(marked.size).toBe(9);
    const found = diagnostics.get(WRONG)!;
    for (const d of found)
      expect(marked.has(lineOf(d)), `unexpected error at line ${lineOf(d)}: ${text(d)}`).toBe(true);
    for (const [line, wanted] of marked) {
      const here = found.filter((d) => lineOf(d) === line).map(text);
      expect(
        here.length,
        `no error at line ${line} (${join('test/fixtures/typecheck/wrong.ts')})`,
      ).toBeGreaterThan(0);
      expect(here.join('\n')).toContain(wanted);
    }
  });
});
