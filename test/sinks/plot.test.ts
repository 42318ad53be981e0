import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/pipeline/api.ts';
import { isSluiceError } from '../../src/core/errors.ts';
import { plot as stage } from '../../src/sinks/index.ts';
import { histogramLabels, plotLabels } from '../../src/plot/result-plots.ts';
import { writeEpos } from '../../scripts/sample-epos.ts';

const SIGNAL = 'test/fixtures/spectrum-average/signal-f8.npy';
const dir = mkdtempSync(join(tmpdir(), 'sluice-plot-'));

describe('plot', () => {
  it('parses defaults and checks the inner sink by its own params', () => {
    expect(stage.params.parse({ of: { type: 'welch' }, out: 'a.svg' })).toMatchObject({
      logFrequency: false,
      db: false,
      width: 800,
      height: 500,
    });
    const bad = stage.params.safeParse({ of: { type: 'welch', nperseg: -3 }, out: 'a.svg' });
    expect(bad.error?.issues[0].path).toEqual(['of', 'nperseg']);
    const unknown = stage.params.safeParse({ of: { type: 'welch', npreseg: 3 }, out: 'a.svg' });
    expect(unknown.error?.issues[0].path[0]).toBe('of');
    expect(stage.params.safeParse({ of: { type: 'stats' }, out: 'a.svg' }).success).toBe(false);
    expect(stage.params.safeParse({ of: { type: 'welch' }, out: 'a.pdf' }).error?.issues[0].path).toEqual([
      'out',
    ]);
  });

  it('declares the inner sink’s history and outputs', () => {
    const p = stage.params.parse({ of: { type: 'welch', nperseg: 512, out: 'psd.npy' }, out: 'psd.svg' });
    expect(stage.history?.(p, { columns: [] })).toBe(511);
    expect(stage.outputs(p)).toEqual(['psd.svg', 'psd.npy']);
  });

  it('writes an SVG of a Welch PSD, the PSD file, and returns the PSD', async () => {
    const out = join(dir, 'psd.svg');
    const psdOut = join(dir, 'psd.json');
    const report = await run({
      source: { type: 'npy', path: SIGNAL, sampleRate: 1e4, chunkRows: 1000 },
      sinks: [
        {
          type: 'plot',
          of: { type: 'welch', nperseg: 512, out: psdOut },
          out,
          logFrequency: true,
          db: true,
          title: 'test PSD',
        },
      ],
    });
    const result = report.sinks[0].result as { frequencies: number[]; psd: number[] };
    expect(result.frequencies.length).toBe(257);
    expect(report.sinks[0].outputs).toEqual([out, psdOut]);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('>test PSD</text>');
    expect(svg).toContain('>frequency (Hz)</text>');
    expect(svg).toContain('PSD (dB re 1 unit²/Hz)');
    const points = /<polyline[^>]*points="([^"]*)"/.exec(svg)![1].split(' ');
    expect(points.length).toBeGreaterThan(100);
    expect(JSON.parse(readFileSync(psdOut, 'utf8')).psd.length).toBe(257);
  });

  it('renders a PNG of a spectrum-average result', async () => {
    const out = join(dir, 'avg.png');
    await run({
      source: { type: 'npy', path: SIGNAL, sampleRate: 1e4 },
      sinks: [{ type: 'plot', of: { type: 'spectrum-average', chunkSize: 256 }, out }],
    });
    const png = readFileSync(out);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(800);
    expect(png.readUInt32BE(20)).toBe(500);
  });

  it('leaves no picture when the run fails', async () => {
    const out = join(dir, 'never.svg');
    const error = await run({
      source: { type: 'npy', path: SIGNAL, sampleRate: 1e4 },
      sinks: [{ type: 'plot', of: { type: 'welch', column: 'nope' }, out }],
    }).catch((e: unknown) => e);
    expect(isSluiceError(error) && error.code).toBe('COLUMN_UNKNOWN');
    expect(existsSync(out)).toBe(false);
  });

  it('labels axes from the schema', () => {
    const schema = {
      columns: [{ name: 'value', dtype: 'float32' as const, width: 1, unit: 'V' }],
      sampleRate: 1e6,
    };
    expect(plotLabels('welch', { column: 'value', scaling: 'spectrum' }, schema, {})).toMatchObject({
      xLabel: 'frequency (Hz)',
      yLabel: 'power spectrum (V²)',
      yLabelDb: 'power spectrum (dB re 1 V²)',
    });
    expect(
      plotLabels('spectrum-average', { column: 'value' }, { columns: [] }, { title: 'T' }),
    ).toMatchObject({
      title: 'T',
      xLabel: 'frequency (cycles/sample)',
      yLabelDb: 'magnitude (dB re 1 unit)',
    });
  });

  it('draws a histogram as a step plot and a histogram2d as a heatmap', async () => {
    const epos = join(dir, 'run.epos');
    writeEpos(epos, 5000);
    const ms = join(dir, 'ms.svg');
    const det = join(dir, 'det.png');
    const report = await run({
      source: { type: 'epos', path: epos, chunkRows: 999 },
      sinks: [
        {
          type: 'plot',
          of: {
            type: 'histogram',
            column: 'm/n (Da)',
            bins: 1000,
            range: [0, 200],
            out: join(dir, 'ms.json'),
          },
          out: ms,
          logCounts: true,
        },
        {
          type: 'plot',
          of: { type: 'histogram2d', x: 'det_x (mm)', y: 'det_y (mm)', bins: 32 },
          out: det,
        },
      ],
    });
    const hist = report.sinks[0].result as { counts: number[] };
    expect(hist.counts.reduce((a, b) => a + b, 0)).toBe(5000);
    const svg = readFileSync(ms, 'utf8');
    expect(svg).toContain(`>histogram of m/n (Da) of ${epos}</text>`);
    expect(svg).toContain('>counts per bin</text>');
    expect(/<path class="data"[^>]* d="M84,444V[^"]+Z"/.test(svg)).toBe(true);
    const png = readFileSync(det);
    expect(png.readUInt32BE(16)).toBe(800);
    expect((report.sinks[1].result as { counts: number[][] }).counts).toHaveLength(32);
  });

  it('labels histogram axes with the column and its unit', () => {
    const schema = {
      columns: [{ name: 'mc', dtype: 'float32' as const, width: 1, unit: 'Da' }],
      source: 'a.h5',
    };
    expect(histogramLabels('histogram', { column: 'mc' }, schema, {})).toMatchObject({
      title: 'histogram of mc (Da) of a.h5',
      xLabel: 'mc (Da)',
      yLabel: 'counts per bin',
    });
    expect(histogramLabels('histogram2d', { x: 'mc', y: 'b' }, schema, { title: 'T' })).toMatchObject({
      title: 'T',
      xLabel: 'mc (Da)',
      yLabel: 'b',
      colorLabel: 'counts',
    });
  });
});
