import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { histogram, npy, run, runSpec, stats } from '../../src/index.ts';

describe('TypeScript API (the README example)', () => {
  it('runs a pipeline from stage helpers and returns the results as objects', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sluice-api-')), 'hist.json');
    const report = await run({
      source: npy({ path: 'test/fixtures/npy/f4-sine.npy', sampleRate: 1e6 }),
      steps: [],
      sinks: [stats({}), histogram({ column: 'value', bins: 200, out })],
    });
    const { columns } = report.sinks[0].result as {
      columns: Record<string, { count: number; nanCount: number }>;
    };
    expect(report.rowsRead).toBe(10007);
    expect(columns.value.count + columns.value.nanCount).toBe(10007);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report.sinks[1].result);
  });

  it('runs a spec file with overrides, like the CLI', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sluice-api-spec-'));
    const report = await runSpec('pipelines/demo.yaml', {
      set: {
        'source.path': 'test/fixtures/npy/f8-be.npy',
        'source.chunkRows': 100,
        'sinks[0].out': `${out}/stats.json`,
        'sinks[1].out': `${out}/hist.json`,
        'sinks[2].out': `${out}/psd.svg`,
        'sinks[2].of.out': `${out}/psd.npy`,
      },
    });
    expect(report).toMatchObject({ name: 'demo', rowsRead: 5003, passes: 2 });
    expect(report.sinks.map((s) => s.outputs[0])).toEqual([
      `${out}/stats.json`,
      `${out}/hist.json`,
      `${out}/psd.svg`,
    ]);
  });
});
