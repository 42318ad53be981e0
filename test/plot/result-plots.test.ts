import { describe, expect, it } from 'vitest';
import type { PlotLabels } from '../../src/plot/result-plots.ts';
import { renderResultPicture, renderResultSvg } from '../../src/plot/result-plots.ts';

const labels: PlotLabels = {
  title: 'T',
  xLabel: 'x (u)',
  yLabel: 'power',
  yLabelDb: 'power (dB)',
  colorLabel: 'n',
};
const options = { width: 800, height: 500, logFrequency: false, db: false, logCounts: false };

describe('the picture of a result', () => {
  it('draws a histogram2d result as a heatmap with a colour bar', () => {
    const svg = renderResultSvg({ xedges: [0, 1, 2], yedges: [0, 1], counts: [[1], [3]] }, labels, options);
    expect(svg).toContain('>n</text>');
    expect(svg).not.toContain('<polyline');
  });

  it('draws a histogram2d of x and y in one unit at equal aspect, unless told to fill', () => {
    const square = {
      xedges: [0, 1, 2, 3, 4],
      yedges: [0, 1, 2],
      counts: [
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
      ],
    };
    const frame = (svg: string) =>
      /<rect class="frame" x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="([\d.]+)"/
        .exec(svg)!
        .slice(1)
        .map(Number);
    const [w, h] = frame(renderResultSvg(square, { ...labels, sameUnits: true }, options));
    expect(w / 4).toBeCloseTo(h / 2, 9); // a 1 × 1 cell is square
    const [fw, fh] = frame(
      renderResultSvg(square, { ...labels, sameUnits: true }, { ...options, aspect: 'fill' }),
    );
    expect([fw, fh]).toEqual([596, 400]);
    const [ew, eh] = frame(renderResultSvg(square, labels, { ...options, aspect: 'equal' }));
    expect(ew / 4).toBeCloseTo(eh / 2, 9);
  });

  it('ends a spectrum’s frequency axis at its last bin (Nyquist), log or linear', () => {
    // fs = 1 MHz, nfft = 4096: bins 0 … 2048 at 244.140625 Hz, the last at 500 kHz.
    const frequencies = Array.from({ length: 2049 }, (_, k) => k * 244.140625);
    const psd = { frequencies, psd: frequencies.map(() => 1e-6) };
    for (const logFrequency of [false, true]) {
      const svg = renderResultSvg(psd, labels, { ...options, logFrequency });
      const ticks = /<g class="x-ticks"[^>]*>([\s\S]*?)<\/g>/.exec(svg)![1];
      const values = [...ticks.matchAll(/data-value="([^"]+)"/g)].map((m) => Number(m[1]));
      expect(values.at(-1)).toBe(500_000);
      expect(ticks).toContain('>500k</text>');
      const frameRight = 84 + 692;
      const points = /<polyline[^>]* points="([^"]+)"/.exec(svg)![1].split(' ');
      expect(Number(points.at(-1)!.split(',')[0])).toBe(frameRight);
    }
  });

  it('draws a histogram result as a step plot', () => {
    const svg = renderResultSvg({ edges: [0, 1, 2], counts: [4, 1] }, labels, options);
    expect(svg).toMatch(/<path class="data"/);
    expect(svg).toContain('>power</text>');
  });

  it('draws a PSD on a log axis, or in dB; magnitudes already in dB as they are', () => {
    const psd = { frequencies: [0, 1, 2, 3], psd: [1, 10, 100, 1000] };
    expect(renderResultSvg(psd, labels, options)).toContain('>power</text>');
    const db = renderResultSvg(psd, labels, { ...options, db: true });
    expect(db).toContain('>power (dB)</text>');
    expect(db).toContain('data-value="30"'); // 10·log10(1000) on the y axis
    const magnitude = { frequencies: [0, 1], magnitudeDb: [-20, -10] };
    expect(renderResultSvg(magnitude, labels, options)).toContain('>power (dB)</text>');
  });

  it('refuses a result it cannot draw, and a PNG without resvg', async () => {
    expect(() => renderResultSvg({}, labels, options)).toThrow(
      expect.objectContaining({ code: 'STAGE_FAILED' }),
    );
    const histogram = { edges: [0, 1], counts: [1] };
    expect(await renderResultPicture(histogram, labels, { ...options, png: false })).toMatch(/^<svg /);
    await expect(renderResultPicture(histogram, labels, { ...options, png: true })).rejects.toMatchObject({
      code: 'STAGE_FAILED',
    });
  });
});
