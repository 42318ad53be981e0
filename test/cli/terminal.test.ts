/**
 * The run on a terminal, in a real pseudo-terminal (util-linux `script`): the progress bar is
 * drawn on stderr with `--json` too, while stdout (redirected) holds only the JSON; Ctrl-C
 * clears the bar first and then prints one clean line, and nothing is drawn after it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSparseNpy } from '../../bench/files.ts';

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const dir = mkdtempSync(join(tmpdir(), 'sluice-terminal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BIN = resolve('bin/sluice.js');
const BAR = /[░█]/;

/** Runs a shell command with stdin/stdout/stderr on a pseudo-terminal; what the terminal got. */
function onTerminal(command: string): string {
  const result = spawnSync('script', ['-qfec', command, '/dev/null'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, COLUMNS: '100', LINES: '30', TERM: 'xterm' },
  });
  return result.stdout;
}

function specOver(bytes: number, name: string): string {
  const input = join(dir, `${name}.npy`);
  writeSparseNpy(input, bytes);
  const spec = join(dir, `${name}.yaml`);
  writeFileSync(
    spec,
    `source: { type: npy, path: ${input}, chunkRows: 16384 }\nsinks:\n  - { type: stats, out: ${dir}/out-${name}/stats.json }\n`,
  );
  return spec;
}

describe.skipIf(!hasScript)('sluice run on a terminal', () => {
  it('draws the progress bar on stderr with --json; the JSON alone goes to stdout', () => {
    const spec = specOver(256 * 2 ** 20, 'json');
    const terminal = onTerminal(`node ${BIN} run ${spec} --json > ${dir}/summary.json`);
    expect(terminal).toMatch(BAR);
    expect(terminal).toMatch(/reading \[/);
    const summary = readFileSync(join(dir, 'summary.json'), 'utf8');
    expect(summary.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(summary)).toMatchObject({ ok: true });
  });

  it('Ctrl-C clears the bar, then prints one clean line; nothing is drawn after it', () => {
    const spec = specOver(2 * 2 ** 30, 'interrupt');
    const terminal = onTerminal(`timeout --preserve-status -s INT 3 node ${BIN} run ${spec}; echo EXIT=$?`);
    const at = terminal.indexOf('interrupting: removing partial outputs (Ctrl-C again to force)');
    expect(at).toBeGreaterThan(0);
    const before = terminal.slice(0, at);
    const after = terminal.slice(at);
    expect(before).toMatch(BAR);
    // The bar's line was cleared (erase-line) after its last frame, before the message.
    expect(before.slice(before.search(/[░█][^░█]*$/))).toContain('\x1b[2K');
    expect(after).not.toMatch(BAR);
    const ESC = String.fromCharCode(27);
    // Interrupted before the run began (a loaded machine), it exits at once with no ABORTED line;
    // when that line is there, it starts a clean line.
    if (after.includes('error ABORTED')) {
      expect(after).toMatch(new RegExp(`\\n(${ESC}\\[[0-9;?]*[A-Za-z])*error ABORTED: `));
    }
    expect(after).toMatch(/\r?\nEXIT=130\r?\n/);
    expect(existsSync(join(dir, 'out-interrupt', 'stats.json'))).toBe(false);
  });
});
