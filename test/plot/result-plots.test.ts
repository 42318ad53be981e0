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

  it('refuses a result it cannot draw, and a PNG without resvg', () => {
    expect(() => renderResultSvg({}, labels, options)).toThrow(
      expect.objectContaining({ code: 'STAGE_FAILED' }),
    );
    const histogram = { edges: [0, 1], counts: [1] };
    expect(renderResultPicture(histogram, labels, { ...options, png: false })).toMatch(/^<svg /);
    expect(() => renderResultPicture(histogram, labels, { ...options, png: true })).toThrow(
      expect.objectContaining({ code: 'STAGE_FAILED' }),
    );
  });
});
