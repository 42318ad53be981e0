import { describe, expect, it } from 'vitest';
import { escapeXml, formatNumber, linearTicks, logTicks, renderSvgPlot } from '../../src/plot/line-plot.ts';

/** The attribute values of every `<tag ...>` in the SVG, in order. */
function elements(svg: string, tag: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}

function group(svg: string, cls: string): string {
  const at = svg.indexOf(`<g class="${cls}"`);
  return svg.slice(at, svg.indexOf('</g>', at));
}

describe('renderSvgPlot', () => {
  const x = Float64Array.from({ length: 101 }, (_, i) => i * 10);
  const y = Float64Array.from(x, (v) => v / 10);
  const svg = renderSvgPlot(x, y, { title: 'A <b> & "c"', xLabel: 'frequency (Hz)', yLabel: 'V²/Hz' });

  it('is one well-formed SVG document with a white background', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(elements(svg, 'svg')[0]).toMatchObject({ width: '800', height: '500' });
    expect(svg).toContain('A &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg).toContain('>frequency (Hz)</text>');
  });

  it('draws every point of a short line inside the frame, left to right, bottom to top', () => {
    const frame = elements(svg, 'rect').find((r) => r.class === 'frame')!;
    const [left, top, w, h] = ['x', 'y', 'width', 'height'].map((k) => Number(frame[k]));
    const points = elements(svg, 'polyline')[0]
      .points.split(' ')
      .map((p) => p.split(',').map(Number));
    expect(points.length).toBe(101);
    for (const [px, py] of points) {
      expect(px).toBeGreaterThanOrEqual(left);
      expect(px).toBeLessThanOrEqual(left + w);
      expect(py).toBeGreaterThanOrEqual(top);
      expect(py).toBeLessThanOrEqual(top + h);
    }
    expect(points[0][0]).toBe(left);
    expect(points[0][1]).toBe(top + h);
    expect(points.at(-1)![0]).toBe(left + w);
    expect(points.at(-1)![1]).toBe(top);
  });

  it('labels round ticks covering the data', () => {
    const xTicks = elements(group(svg, 'x-ticks'), 'text').map((t) => Number(t['data-value']));
    expect(xTicks).toEqual([0, 200, 400, 600, 800, 1000]);
    const yTicks = elements(group(svg, 'y-ticks'), 'text').map((t) => Number(t['data-value']));
    expect(yTicks).toEqual([0, 20, 40, 60, 80, 100]);
  });

  it('keeps narrow peaks when it thins a long line to the pixel columns', () => {
    const n = 100_001;
    const fx = Float64Array.from({ length: n }, (_, i) => i);
    const fy = new Float64Array(n).fill(1e-6);
    fy[50_003] = 1;
    const big = renderSvgPlot(fx, fy, { logY: true });
    const points = elements(big, 'polyline')[0].points.split(' ');
    expect(points.length).toBeLessThan(4 * 800);
    const ys = points.map((p) => Number(p.split(',')[1]));
    expect(Math.min(...ys)).toBe(Number(elements(big, 'rect').find((r) => r.class === 'frame')!.y));
  });

  it('leaves out x ≤ 0 on a log axis and puts ticks at decades', () => {
    const f = Float64Array.from({ length: 2049 }, (_, i) => (i * 1e6) / 4096);
    const p = Float64Array.from(f, () => 1e-6);
    const log = renderSvgPlot(f, p, { logX: true, logY: true });
    const points = elements(log, 'polyline')[0].points.split(' ');
    expect(points.every((pt) => Number.isFinite(Number(pt.split(',')[0])))).toBe(true);
    const labels = elements(group(log, 'x-ticks'), 'text').map((t) => Number(t['data-value']));
    expect(labels).toEqual([100, 1000, 1e4, 1e5, 1e6]);
    expect(group(log, 'x-ticks')).toContain('>100k</text>');
  });

  it('survives empty and constant inputs', () => {
    expect(renderSvgPlot([], [])).toContain('<polyline');
    expect(renderSvgPlot([1, 2, 3], [5, 5, 5])).toContain('<polyline');
  });
});

describe('ticks and labels', () => {
  it('steps by 1, 2 or 5 × 10^k', () => {
    expect(linearTicks([0, 0.93]).map((t) => t.value)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearTicks([-83, -9]).map((t) => t.label)).toEqual(['-100', '-80', '-60', '-40', '-20', '0']);
    expect(logTicks([3e-9, 2e-1]).length).toBeLessThanOrEqual(10);
  });

  it('formats with SI prefixes and escapes XML', () => {
    expect(formatNumber(123000, 1000)).toBe('123k');
    expect(formatNumber(2.5e6, 5e5)).toBe('2.5M');
    expect(formatNumber(0.25, 0.05)).toBe('0.25');
    expect(escapeXml(`<&>'"`)).toBe('&lt;&amp;&gt;&apos;&quot;');
  });
});
