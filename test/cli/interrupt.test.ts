import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSparseNpy } from '../../bench/files.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-interrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the real CLI binary and sends `signal` once it has opened its source (its verbose log
 * says so): by then its Ctrl-C handler is in place, however long the machine's load made start-up.
 */
function runAndSignal(
  spec: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/sluice.js', 'run', spec, '--verbose'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
      if (!sent && /rows, io \w+/.test(stderr)) {
        sent = true;
        setTimeout(() => child.kill(signal), 200);
      }
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('interrupting a run', () => {
  it.each(['SIGINT', 'SIGKILL'] as const)('%s leaves no output under its final name', async (signal) => {
    // A 2 GiB sparse file read in small batches: far longer than the wait below.
    const input = join(dir, `big-${signal}.npy`);
    writeSparseNpy(input, 2 * 1024 ** 3);
    const out = join(dir, `out-${signal}`);
    const spec = join(dir, `spec-${signal}.yaml`);
    writeFileSync(
      spec,
      `source: { type: npy, path: ${input}, chunkRows: 4096 }\nsinks:\n  - { type: stats, out: ${out}/stats.json }\n`,
    );
    const { code, stderr } = await runAndSignal(spec, signal);
    expect(existsSync(join(out, 'stats.json'))).toBe(false);
    if (signal === 'SIGINT') {
      expect(code).toBe(130);
      expect(stderr).toContain('ABORTED');
      // A clean stop removes its temporary file too; SIGKILL cannot, but never touches the final name.
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    }
  });
});
