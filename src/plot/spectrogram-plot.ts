/**
 * A spectrogram as a heatmap in standalone SVG: time across, frequency up (0 … the last bin,
 * Nyquist for an even nfft), power in dB coloured by viridis with a colour bar. The cells are
 * one PNG image inside the SVG (a data: URI, no script, nothing fetched): a spectrogram has far
 * more cells than an SVG of rectangles should hold. A grid coarser than the plot's pixels is
 * enlarged into the image by repeating cells, so no viewer's smoothing blurs their edges.
 */
import type { FrameText } from './axes.ts';
import { svgAxes, svgHead, fmt } from './axes.ts';
import { colorBar, levelOf, viridisBytes } from './color-scale.ts';
import { heatmapLayout } from './heatmap.ts';
import { encodePngRgb } from './png-image.ts';
import type { SpectrogramGrid } from './spectrogram-image.ts';

export interface SpectrogramPlotOptions extends FrameText {
  readonly width?: number;
  readonly height?: number;
  /** Label of the colour bar. */
  readonly colorLabel?: string;
  /** dB below the loudest cell where the colour scale ends (quieter cells take its end colour). */
  readonly dynamicRange?: number;
}

/** The default depth of the colour scale: quiet enough for a noise floor, loud tones on top. */
export const DEFAULT_DYNAMIC_RANGE_DB = 100;

/** Colour of cells with no value (NaN): the plot's light grey. */
const BLANK: readonly [number, number, number] = [240, 240, 240];

/** Renders the grid as an SVG document. */
export function renderSvgSpectrogram(grid: SpectrogramGrid, options: SpectrogramPlotOptions = {}): string {
  const width = options.width ?? 800;
  const height = options.height ?? 500;
  const { frame, xAxis, yAxis } = heatmapLayout(grid.timeRange, grid.frequencyRange, width, height);
  const [cmin, cmax] = dbRange(grid.values, options.dynamicRange ?? DEFAULT_DYNAMIC_RANGE_DB);
  const imageWidth = Math.max(grid.columns, Math.round(frame.width));
  const imageHeight = Math.max(grid.rows, Math.round(frame.height));
  const png = encodePngRgb(imageWidth, imageHeight, gridPixels(grid, cmin, cmax, imageWidth, imageHeight));
  const parts = svgHead(width, height, frame, xAxis, yAxis, options);
  parts.push(
    `<image class="cells" x="${fmt(frame.left)}" y="${fmt(frame.top)}" width="${fmt(frame.width)}" height="${fmt(frame.height)}" preserveAspectRatio="none" image-rendering="optimizeSpeed" style="image-rendering:pixelated" data-columns="${grid.columns}" data-rows="${grid.rows}" href="data:image/png;base64,${Buffer.from(png).toString('base64')}"/>`,
  );
  parts.push(...svgAxes(height, frame, xAxis, yAxis, options));
  parts.push(...colorBar(frame, cmin, cmax, false, options.colorLabel ?? 'power (dB)'), '</svg>');
  return `${parts.join('\n')}\n`;
}

/** [max − dynamicRange, max] of the finite dB values (clipped to the lowest); [−1, 0] when none are. */
export function dbRange(values: Float64Array, dynamicRange: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [-1, 0];
  lo = Math.max(lo, hi - dynamicRange);
  return lo === hi ? [lo - 1, hi] : [lo, hi];
}

/**
 * RGB of each pixel of a width × height image (at least the grid's size), top row the highest
 * frequency: the grid is column-major from the lowest, the image row-major from the top; each
 * pixel takes the cell it falls in. −Infinity (no power) takes the lowest colour.
 */
export function gridPixels(
  grid: SpectrogramGrid,
  cmin: number,
  cmax: number,
  width = grid.columns,
  height = grid.rows,
): Uint8Array {
  const { columns, rows, values } = grid;
  const level = levelOf(cmin, cmax, false);
  const palette = Array.from({ length: 256 }, (_, k) => viridisBytes(k));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const r = rows - 1 - Math.floor((y * rows) / height);
    for (let x = 0; x < width; x++) {
      const v = values[Math.floor((x * columns) / width) * rows + r];
      const color = Number.isNaN(v) ? BLANK : palette[v === -Infinity ? 0 : level(v)];
      const o = (y * width + x) * 3;
      rgb[o] = color[0];
      rgb[o + 1] = color[1];
      rgb[o + 2] = color[2];
    }
  }
  return rgb;
}
