import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_DRAWN_CELLS } from '../../src/report/pictures.ts';
import type { ReportSink } from '../../src/report/report-types.ts';
import { buildReportHtml, writeReport } from '../../src/report/write-report.ts';
import { sampleFile, sampleInput } from './report-fixture.ts';

function heatmapSink(n: number): ReportSink {
  const edges = Array.from({ length: n + 1 }, (_, i) => i);
  const counts = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i * 7 + j * 13) % 100),
  );
  return {
    type: 'histogram2d',
    pointer: 'sinks[0]',
    rows: n * n,
    outputs: [],
    result: { x: 'x', y: 'y', xedges: edges, yedges: edges, counts },
  };
}

describe('writing a report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-write-report-'));

  it('reads the sinks’ pictures and the input’s facts from disk, and writes atomically', async () => {
    const input = join(dir, 'in.npy');
    writeFileSync(input, 'abc');
    const svg = join(dir, 'plot.svg');
    writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><circle r="2"/></svg>');
    const sink: ReportSink = {
      type: 'plot',
      pointer: 'sinks[0]',
      rows: 3,
      outputs: [svg],
      result: undefined,
    };
    const report = join(dir, 'sub', 'report.html');
    await writeReport(report, sampleInput([sampleFile(input, [sink])]));
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(
      /<figure class="plot-figure"><svg aria-label="[^"]*plot\.svg" role="img" class="plot"/,
    );
    expect(html).toContain('<circle r="2"/>');
    // sha256("abc"), as sha256sum prints it.
    expect(html).toContain('title="ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['report.html']);
    await expect(writeReport(report, sampleInput([]))).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    await writeReport(report, sampleInput([]), { overwrite: true });
    expect(readFileSync(report, 'utf8')).not.toContain('<circle');
  });

  it('embeds a heatmap of many cells as a PNG, and draws none of too many', async () => {
    const big = await buildReportHtml(sampleInput([sampleFile('none.npy', [heatmapSink(300)])]));
    expect(big).toMatch(/<img class="plot" alt="[^"]*" src="data:image\/png;base64,/);
    expect(big.length).toBeLessThan(2e6);
    const tooBig = Math.ceil(Math.sqrt(MAX_DRAWN_CELLS)) + 1;
    const none = await buildReportHtml(sampleInput([sampleFile('none.npy', [heatmapSink(tooBig)])]));
    expect(none).not.toContain('<figure');
    expect(none).toContain(`${tooBig} × ${tooBig} over`);
    expect(existsSync('none.npy')).toBe(false);
  });
});
