/**
 * A writer killed outright (SIGKILL: no cleanup runs) mid-write leaves no file under its
 * final name, only a hidden temporary one; a run that fails leaves nothing at all (failures
 * after some batches were written: test/sinks/writers.test.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSparseNpy } from '../../bench/files.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-writers-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runAndKill(spec: string, afterMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/sluice.js', 'run', spec], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const OUTPUTS = ['out.parquet', 'out.arrow', 'out.h5', 'out.npy', 'out.csv'];
const SINKS = ['parquet', 'arrow', 'hdf5', 'npy', 'csv'];

describe('writers interrupted', () => {
  it('SIGKILL mid-write leaves no output under its final name', async () => {
    const input = join(dir, 'big.npy');
    writeSparseNpy(input, 2 * 1024 ** 3);
    const out = join(dir, 'killed');
    const spec = join(dir, 'kill.yaml');
    const sinks = SINKS.map((type, i) => `  - { type: ${type}, out: ${join(out, OUTPUTS[i])} }`).join('\n');
    writeFileSync(spec, `source: { type: npy, path: ${input}, chunkRows: 65536 }\nsinks:\n${sinks}\n`);
    await runAndKill(spec, 3000);
    for (const name of OUTPUTS) expect(existsSync(join(out, name))).toBe(false);
    // Whatever it had started is there only under hidden temporary names.
    for (const name of existsSync(out) ? readdirSync(out) : []) expect(name).toContain('.sluice-tmp-');
  });

  it('a failing run (the input is truncated) leaves no file at all', async () => {
    const input = join(dir, 'short.npy');
    writeSparseNpy(input, 64 * 1024 ** 2);
    const out = join(dir, 'failed');
    const spec = join(dir, 'fail.yaml');
    const sinks = SINKS.map((type, i) => `  - { type: ${type}, out: ${join(out, OUTPUTS[i])} }`).join('\n');
    writeFileSync(spec, `source: { type: npy, path: ${input}, chunkRows: 65536 }\nsinks:\n${sinks}\n`);
    // The header promises more rows than the file holds once it is cut short.
    truncateSync(input, 8 * 1024 ** 2);
    const result = await runCli(['run', spec]);
    expect(result.code).not.toBe(0);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
