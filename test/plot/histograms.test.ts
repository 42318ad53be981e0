import { describe, expect, it } from 'vitest';
import { countRange, renderSvgHistogram } from '../../src/plot/step-histogram.ts';
import { renderSvgHeatmap, viridis } from '../../src/plot/heatmap.ts';

/** The attribute values of every `<tag ...>` in the SVG, in order. */
function elements(svg: string, tag: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}

function tickValues(svg: string, group: string): number[] {
  const body = new RegExp(`<g class="${group}"[^>]*>([\\s\\S]*?)</g>`).exec(svg)?.[1] ?? '';
  return [...body.matchAll(/data-value="([^"]*)"/g)].map((m) => Number(m[1]));
}

describe('histogram step plot', () => {
  it('outlines each bin from the baseline, in pixels of the axes', () => {
    // 800 × 500: the frame is x 84…776, y 44…444; x ticks 0…3, y ticks 0…4.
    const svg = renderSvgHistogram([0, 1, 2, 3], [1, 4, 2], { title: 'm', xLabel: 'm/n (Da)' });
    const path = elements(svg, 'path').find((e) => e.class === 'data');
    expect(path?.d).toBe('M84,444V344H314.67V44H545.33V244H776V444Z');
    expect(tickValues(svg, 'x-ticks')).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3]);
    expect(tickValues(svg, 'y-ticks')).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
    expect(svg).toContain('>m/n (Da)</text>');
  });

  it('puts counts on decades with logY, empty bins on the floor', () => {
    const svg = renderSvgHistogram([0, 1, 2, 3], [0, 1000, 10], { logY: true });
    expect(tickValues(svg, 'y-ticks')).toEqual([1, 10, 100, 1000]);
    // Floor 1 at y 444, 10 at 310.67, 1000 at 44.
    expect(elements(svg, 'path').find((e) => e.class === 'data')?.d).toBe(
      'M84,444V444H314.67V44H545.33V310.67H776V444Z',
    );
    expect(countRange([0, 0], true)).toEqual([1, 10]);
    expect(countRange([0, 5, 7], false)).toEqual([0, 7]);
  });

  it('merges bins narrower than a pixel into one stroke per pixel column', () => {
    const bins = 100_000;
    const edges = Array.from({ length: bins + 1 }, (_, i) => i);
    const counts = Array.from({ length: bins }, (_, i) => (i === 54_321 ? 1000 : i % 7));
    const d = elements(renderSvgHistogram(edges, counts), 'path').find((e) => e.class === 'data')!.d;
    const commands = d.match(/[MVHZ]/g)!.length;
    expect(commands).toBeLessThan(6 * 700);
    // The single tall bin still reaches the top of the axis.
    expect(d).toContain('V44');
  });
});

describe('heatmap', () => {
  it('colours one cell per bin, x across and y upwards, with a colour bar', () => {
    // counts[i][j]: x bin i, y bin j.
    const svg = renderSvgHeatmap(
      [0, 1, 2],
      [0, 10, 20],
      [
        [0, 1],
        [2, 3],
      ],
    );
    const cells = new RegExp('<g class="cells"[^>]*>([\\s\\S]*?)</g>').exec(svg)![1];
    const rects = elements(cells, 'rect');
    expect(rects).toHaveLength(4);
    // Frame: x 84…680 (room for the bar), y 44…544; y bin 0 is the lower half.
    expect(rects[0]).toMatchObject({ x: '84', y: '294', width: '298', height: '250', fill: viridis(0) });
    expect(rects[1]).toMatchObject({ x: '382', y: '294', fill: viridis(170 / 255) });
    expect(rects[3]).toMatchObject({ x: '382', y: '44', fill: viridis(1) });
    expect(viridis(0)).toBe('#440154');
    expect(viridis(1)).toBe('#fde725');
    const bar = elements(svg, 'rect').find((e) => e.class === 'colorbar')!;
    expect(bar).toMatchObject({ 'data-min': '0', 'data-max': '3', 'data-scale': 'linear' });
    expect(tickValues(svg, 'colorbar-ticks')).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3]);
  });

  it('leaves empty cells blank on a log scale and merges equal neighbours', () => {
    const log = renderSvgHeatmap(
      [0, 1, 2],
      [0, 1, 2],
      [
        [0, 10],
        [100, 1000],
      ],
      { logColor: true },
    );
    const cells = new RegExp('<g class="cells"[^>]*>([\\s\\S]*?)</g>').exec(log)![1];
    expect(elements(cells, 'rect')).toHaveLength(3);
    expect(tickValues(log, 'colorbar-ticks')).toEqual([10, 100, 1000]);
    const flat = renderSvgHeatmap([0, 1, 2, 3], [0, 1], [[5], [5], [5]]);
    const flatCells = new RegExp('<g class="cells"[^>]*>([\\s\\S]*?)</g>').exec(flat)![1];
    expect(elements(flatCells, 'rect')).toEqual([expect.objectContaining({ x: '84', width: '596' })]);
    expect(() => renderSvgHeatmap([0, 1], [0, 1], [[1, 2]])).toThrow(RangeError);
  });
});
