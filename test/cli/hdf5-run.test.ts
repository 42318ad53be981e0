/**
 * The correction pipeline through the real CLI binary (the compiled dist/ when it is current,
 * as after `npm install`): HDF5 metadata from the worker thread, data written at its offsets,
 * the peak RSS in the JSON report; and a Ctrl-C mid-write that leaves nothing behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/pipeline/api.ts';
import { writeEpos } from '../../scripts/sample-epos.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-h5-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => h5wasm.ready);

function readColumns(path: string): Record<string, unknown[]> {
  const f = new h5wasm.File(path, 'r');
  try {
    const g = f.get('df') as InstanceType<typeof h5wasm.Group>;
    return Object.fromEntries(
      g
        .keys()
        .map((k) => [
          k,
          Array.from((g.get(k) as InstanceType<typeof h5wasm.Dataset>).value as ArrayLike<unknown>),
        ]),
    );
  } finally {
    f.close();
  }
}

describe('sluice run pipelines/reflectron.yaml', () => {
  it('writes the corrected table, equal to a chunked run, and reports its peak RSS', async () => {
    const input = join(dir, 'run.epos');
    writeEpos(input, 100_003);
    const out = join(dir, 'cli.h5');
    const text = execFileSync(
      process.execPath,
      ['bin/sluice.js', 'run', 'pipelines/reflectron.yaml', '--json', '--set', `sinks.0.out=${out}`],
      { encoding: 'utf8', env: { ...process.env, INPUT: input } },
    );
    const report = JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as {
      peakRssBytes: number;
      rowsRead: number;
    };
    expect(report.rowsRead).toBe(100_003);
    expect(report.peakRssBytes).toBeGreaterThan(20e6);
    const chunked = join(dir, 'chunked.h5');
    await run({
      source: { type: 'epos', path: input },
      steps: [{ type: 'to-pyccapt' }, { type: 'reflectron', preset: '4000XHR_Erlangen_56_4833' }],
      sinks: [{ type: 'hdf5', out: chunked, layout: 'columns', group: 'df', storage: 'chunked' }],
    });
    const [a, b] = [readColumns(out), readColumns(chunked)];
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const name of Object.keys(b)) expect(a[name]).toEqual(b[name]);
  });

  it('SIGINT mid-write exits 130 and leaves neither the output nor a temporary file', async () => {
    // 2 GiB of zero records (sparse, instant): far longer to correct than the wait below.
    const input = join(dir, 'big.epos');
    writeFileSync(input, '');
    truncateSync(input, 44 * 48_000_000);
    const outDir = join(dir, 'out');
    const child = spawn(
      process.execPath,
      ['bin/sluice.js', 'run', 'pipelines/reflectron.yaml', '--set', `sinks.0.out=${outDir}/big.h5`],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, INPUT: input } },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    // Interrupt once the output's temporary file exists: the run is then writing, whatever the
    // machine's load made of its start-up.
    const timer = setInterval(() => {
      if (existsSync(outDir) && readdirSync(outDir).length > 0) {
        clearInterval(timer);
        child.kill('SIGINT');
      }
    }, 25);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearInterval(timer);
    expect(code).toBe(130);
    expect(stderr).toContain('ABORTED');
    expect(existsSync(outDir) ? readdirSync(outDir) : []).toEqual([]);
  });
});
