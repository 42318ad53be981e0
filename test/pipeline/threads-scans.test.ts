/**
 * docs/design.md §2: scans run on every core by default once the input is large enough
 * (`minThreadedBytes`, lowered here), the pre-pass included (a histogram's automatic range), and
 * give the one-thread results bit for bit: stats, histogram and histogram2d over EPOS columns at
 * several chunk sizes and thread counts. A sink whose accumulator cannot send its state
 * (quantiles' KLL sketch) keeps the run on one thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PipelineDefinition } from '../../src/pipeline/api.ts';
import { run } from '../../src/pipeline/api.ts';
import type { RunOptions } from '../../src/pipeline/runner.ts';
import { writeEpos } from '../../scripts/sample-epos.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-threads-scans-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const input = join(dir, 'run.epos');
const IONS = 250_007;
writeEpos(input, IONS);

const SCANS: PipelineDefinition['sinks'] = [
  { type: 'stats', columns: ['m/n (Da)', 'TOF (ns)', 'pslep'] },
  { type: 'histogram', column: 'm/n (Da)', bins: 1000 },
  { type: 'histogram', column: 'TOF (ns)', bins: 77, range: [100, 900] },
  { type: 'histogram2d', x: 'det_x (mm)', y: 'det_y (mm)', bins: [64, 48] },
];

async function scan(chunkRows: number, options: RunOptions, sinks = SCANS) {
  const log: string[] = [];
  const report = await run(
    { source: { type: 'epos', path: input, chunkRows }, sinks },
    { ...options, log: (m) => log.push(m) },
  );
  return { report, log, results: report.sinks.map((s) => s.result) };
}

describe('scans on every core', () => {
  it('stats, histograms (automatic range) and histogram2d: one thread’s bits at every chunk size and thread count', async () => {
    const reference = await scan(65536, { workers: 1 });
    expect(reference.report.threads).toBe(1);
    expect(reference.report.passes).toBe(2);
    for (const [chunkRows, options] of [
      [4099, { workers: 2 }],
      [65536, { workers: 3 }],
      [1 << 20, { workers: 2 }],
      [65536, { minThreadedBytes: 1 }],
    ] as const) {
      const threaded = await scan(chunkRows, options);
      expect(threaded.report.threads, JSON.stringify(options)).toBeGreaterThan(1);
      expect(threaded.log).toContain(`pre-pass on ${threaded.report.threads} threads`);
      expect(threaded.results).toEqual(reference.results);
      expect(threaded.report.rowsRead).toBe(IONS);
      expect(threaded.report.bytesRead).toBe(reference.report.bytesRead);
    }
  }, 120_000);

  it('a plot of a histogram without range: its pre-pass and main pass on threads, the one-thread result', async () => {
    const sinks = (name: string) => [
      {
        type: 'plot',
        of: { type: 'histogram', column: 'm/n (Da)', bins: 50 },
        out: join(dir, `${name}.svg`),
      },
    ];
    const one = await scan(65536, { workers: 1 }, sinks('one'));
    const two = await scan(65536, { workers: 2 }, sinks('two'));
    expect(two.report.threads).toBe(2);
    expect(two.log).toContain('pre-pass on 2 threads');
    expect(two.results).toEqual(one.results);
  }, 60_000);

  it('below minThreadedBytes, and with quantiles, a run stays on one thread', async () => {
    expect((await scan(65536, { minThreadedBytes: 1e12 })).report.threads).toBe(1);
    const quantiles = await scan(65536, { workers: 2 }, [
      { type: 'stats' },
      { type: 'quantiles', columns: ['m/n (Da)'] },
    ]);
    expect(quantiles.report.threads).toBe(1);
  }, 60_000);

  it('progress covers the whole input once per pass, across the threads', async () => {
    const seen: { pass: number; rows: number }[] = [];
    const report = await run(
      { source: { type: 'epos', path: input, chunkRows: 10_000 }, sinks: SCANS },
      { workers: 2, onProgress: (p) => seen.push({ pass: p.pass, rows: p.rows }) },
    );
    expect(report.threads).toBe(2);
    for (const pass of [1, 2]) {
      const rows = seen.filter((p) => p.pass === pass).map((p) => p.rows);
      expect(rows.length).toBeGreaterThan(2);
      expect(Math.max(...rows)).toBe(IONS);
      rows.slice(1).forEach((r, i) => expect(r).toBeGreaterThanOrEqual(rows[i]));
    }
  }, 60_000);
});
