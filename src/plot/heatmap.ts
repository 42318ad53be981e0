/**
 * A 2-D histogram as a heatmap in standalone SVG: one cell per bin (x along the horizontal
 * axis, y upwards, as matplotlib's pcolormesh(xedges, yedges, H.T)), coloured by viridis (its
 * 256 levels), with a colour bar; a linear or a log colour scale (log leaves empty cells
 * blank, as LogNorm masks them); the axes span the outer edges exactly, optionally at equal
 * aspect (a detector map in mm is round). Pure (no I/O). Cells of one colour next to each
 * other in a row are drawn as one rectangle, so an empty detector border costs one element
 * per row.
 */
import type { Axis, FrameText, PlotFrame } from './axes.ts';
import { fmt, makeAxis, plotFrame, svgAxes, svgHead } from './axes.ts';
import { BAR_SPACE, colorBar, levelOf, viridisLevel } from './color-scale.ts';

export { levelOf, viridis } from './color-scale.ts';

export interface HeatmapOptions extends FrameText {
  readonly width?: number;
  readonly height?: number;
  /** Log colour scale over the non-empty cells; empty cells are left blank. */
  readonly logColor?: boolean;
  /** Label of the colour bar. */
  readonly colorLabel?: string;
  /**
   * One data unit is as long on x as on y (matplotlib's set_aspect('equal')): a detector map
   * in mm is drawn round. The plot area shrinks to fit and is centred.
   */
  readonly equalAspect?: boolean;
  /** The colour scale's [min, max] (values outside take the end colours); default: the data's. */
  readonly colorRange?: readonly [number, number];
}

/** The plot area and the axes of a heatmap over [x0, x1] × [y0, y1], the colour bar right of it. */
export interface HeatmapLayout {
  readonly frame: PlotFrame;
  readonly xAxis: Axis;
  readonly yAxis: Axis;
}

/**
 * The axes span the outer edges exactly (as pcolormesh's limits do); at equal aspect the area
 * is cut to the data's proportions and centred, with the colour bar kept beside it.
 */
export function heatmapLayout(
  xRange: readonly [number, number],
  yRange: readonly [number, number],
  width: number,
  height: number,
  equalAspect = false,
): HeatmapLayout {
  let frame = plotFrame(width, height, BAR_SPACE);
  const dx = xRange[1] - xRange[0];
  const dy = yRange[1] - yRange[0];
  if (equalAspect && dx > 0 && dy > 0) {
    const perUnit = Math.min(frame.width / dx, frame.height / dy);
    const w = dx * perUnit;
    const h = dy * perUnit;
    frame = {
      left: frame.left + (frame.width - w) / 2,
      top: frame.top + (frame.height - h) / 2,
      width: w,
      height: h,
    };
  }
  const bottom = frame.top + frame.height;
  return {
    frame,
    xAxis: makeAxis(xRange, false, frame.left, frame.left + frame.width, true),
    yAxis: makeAxis(yRange, false, bottom, frame.top, true),
  };
}

/** Renders `counts` (nx rows of ny) over `xedges` (nx + 1) and `yedges` (ny + 1) as SVG. */
export function renderSvgHeatmap(
  xedges: ArrayLike<number>,
  yedges: ArrayLike<number>,
  counts: readonly ArrayLike<number>[],
  options: HeatmapOptions = {},
): string {
  const nx = counts.length;
  const ny = xedges.length > 0 && nx > 0 ? counts[0].length : 0;
  if (xedges.length !== nx + 1 || yedges.length !== ny + 1 || counts.some((row) => row.length !== ny)) {
    throw new RangeError('counts must be (xedges − 1) × (yedges − 1)');
  }
  const width = options.width ?? 800;
  const height = options.height ?? 600;
  const logColor = options.logColor ?? false;
  const { frame, xAxis, yAxis } = heatmapLayout(
    edgeRange(xedges),
    edgeRange(yedges),
    width,
    height,
    options.equalAspect,
  );
  const [cmin, cmax] = options.colorRange ?? colorRange(counts, logColor);
  const level = levelOf(cmin, cmax, logColor);

  const parts = svgHead(width, height, frame, xAxis, yAxis, options);
  parts.push('<g class="cells" shape-rendering="crispEdges">');
  // One rectangle per run of equal colour along x, per y row.
  for (let j = 0; j < ny; j++) {
    const y0 = yAxis.toPixel(yedges[j + 1]);
    const h = yAxis.toPixel(yedges[j]) - y0;
    let runStart = 0;
    let runLevel = level(counts[0][j]);
    for (let i = 1; i <= nx; i++) {
      const l = i < nx ? level(counts[i][j]) : -2;
      if (l === runLevel) continue;
      if (runLevel >= 0) {
        const x0 = xAxis.toPixel(xedges[runStart]);
        const w = xAxis.toPixel(xedges[i]) - x0;
        parts.push(
          `<rect x="${fmt(x0)}" y="${fmt(y0)}" width="${fmt(w)}" height="${fmt(h)}" fill="${viridisLevel(runLevel)}"/>`,
        );
      }
      runStart = i;
      runLevel = l;
    }
  }
  parts.push('</g>');
  parts.push(...svgAxes(height, frame, xAxis, yAxis, options));
  parts.push(...colorBar(frame, cmin, cmax, logColor, options.colorLabel ?? 'counts'), '</svg>');
  return `${parts.join('\n')}\n`;
}

/** [min, max] of the counts ([min positive, max] for a log scale; [0, 1] or [1, 10] when flat). */
export function colorRange(counts: readonly ArrayLike<number>[], log: boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of counts) {
    for (let j = 0; j < row.length; j++) {
      const c = row[j];
      if (!Number.isFinite(c) || (log && c <= 0)) continue;
      if (c < lo) lo = c;
      if (c > hi) hi = c;
    }
  }
  if (lo > hi) return log ? [1, 10] : [0, 1];
  if (lo === hi) return log ? [lo, lo * 10] : [Math.min(0, lo), Math.max(hi, 1)];
  return log ? [lo, hi] : [Math.min(0, lo), hi];
}

/** [first, last] of increasing edges; [0, 1] when there are none. */
function edgeRange(edges: ArrayLike<number>): [number, number] {
  const n = edges.length;
  return n > 1 && edges[n - 1] > edges[0] ? [edges[0], edges[n - 1]] : [0, 1];
}
