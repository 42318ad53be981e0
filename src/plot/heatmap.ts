/**
 * A 2-D histogram as a heatmap in standalone SVG: one cell per bin (x along the horizontal
 * axis, y upwards, as matplotlib's pcolormesh(xedges, yedges, H.T)), coloured by viridis, with
 * a colour bar; a linear or a log colour scale (log leaves empty cells blank, as LogNorm
 * masks them). Pure (no I/O). Cells of one colour next to each other in a row are drawn as one
 * rectangle, so an empty detector border costs one element per row.
 */
import type { Axis, FrameText } from './axes.ts';
import { escapeXml, fmt, makeAxis, plotFrame, svgAxes, svgHead } from './axes.ts';

export interface HeatmapOptions extends FrameText {
  readonly width?: number;
  readonly height?: number;
  /** Log colour scale over the non-empty cells; empty cells are left blank. */
  readonly logColor?: boolean;
  /** Label of the colour bar. */
  readonly colorLabel?: string;
}

/** Room on the right for the colour bar, its ticks and label. */
const BAR_SPACE = 96;
const BAR_WIDTH = 16;
/** Colours the scale is quantised to (matplotlib's colormaps have 256). */
const LEVELS = 256;

/** viridis at 9 evenly spaced points (matplotlib's _viridis_data, every 32nd entry and the last). */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The viridis colour of t in [0, 1] as #rrggbb, linear between the stops. */
export function viridis(t: number): string {
  const s = Math.min(Math.max(t, 0), 1) * (VIRIDIS.length - 1);
  const k = Math.min(Math.floor(s), VIRIDIS.length - 2);
  const f = s - k;
  const a = VIRIDIS[k];
  const b = VIRIDIS[k + 1];
  const hex = (i: number) =>
    Math.round(a[i] + (b[i] - a[i]) * f)
      .toString(16)
      .padStart(2, '0');
  return `#${hex(0)}${hex(1)}${hex(2)}`;
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
  const frame = plotFrame(width, height, BAR_SPACE);
  const bottom = frame.top + frame.height;
  const xAxis = makeAxis([xedges[0], xedges[nx]], false, frame.left, frame.left + frame.width);
  const yAxis = makeAxis([yedges[0], yedges[ny]], false, bottom, frame.top);
  const [cmin, cmax] = colorRange(counts, logColor);
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
          `<rect x="${fmt(x0)}" y="${fmt(y0)}" width="${fmt(w)}" height="${fmt(h)}" fill="${viridis(runLevel / (LEVELS - 1))}"/>`,
        );
      }
      runStart = i;
      runLevel = l;
    }
  }
  parts.push('</g>');
  parts.push(...svgAxes(height, frame, xAxis, yAxis, options));
  parts.push(...colorBar(width, frame, cmin, cmax, logColor, options.colorLabel ?? 'counts'), '</svg>');
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

/** The colour level (0 … LEVELS − 1) of a count; −1 for a blank cell (≤ 0 on a log scale, NaN). */
export function levelOf(cmin: number, cmax: number, log: boolean): (c: number) => number {
  const f = log ? Math.log10 : (v: number) => v;
  const a = f(cmin);
  const span = f(cmax) - a || 1;
  return (c) => {
    if (!Number.isFinite(c) || (log && c <= 0)) return -1;
    const t = (f(c) - a) / span;
    return Math.min(LEVELS - 1, Math.max(0, Math.floor(t * LEVELS)));
  };
}

/** A vertical gradient bar right of the plot with ticks of the colour scale. */
function colorBar(
  width: number,
  frame: { top: number; height: number; left: number; width: number },
  cmin: number,
  cmax: number,
  log: boolean,
  label: string,
): string[] {
  const x = frame.left + frame.width + 16;
  const bottom = frame.top + frame.height;
  const axis: Axis = makeAxis([cmin, cmax], log, bottom, frame.top);
  // The bar spans the colour range exactly; ticks outside it are left out.
  const scale = log ? Math.log10 : (v: number) => v;
  const toPy = (v: number) =>
    bottom - ((scale(v) - scale(cmin)) / (scale(cmax) - scale(cmin) || 1)) * frame.height;
  const stops: string[] = [];
  for (let k = 0; k < VIRIDIS.length; k++) {
    const t = k / (VIRIDIS.length - 1);
    stops.push(`<stop offset="${fmt(t * 100)}%" stop-color="${viridis(t)}"/>`);
  }
  const parts = [
    `<defs><linearGradient id="colorbar-gradient" x1="0" y1="1" x2="0" y2="0">${stops.join('')}</linearGradient></defs>`,
    `<rect class="colorbar" x="${x}" y="${frame.top}" width="${BAR_WIDTH}" height="${frame.height}" fill="url(#colorbar-gradient)" stroke="#333333" data-min="${cmin}" data-max="${cmax}" data-scale="${log ? 'log' : 'linear'}"/>`,
    '<g class="colorbar-ticks" text-anchor="start">',
  ];
  for (const t of axis.ticks) {
    if (t.value < cmin * (1 - 1e-12) || t.value > cmax * (1 + 1e-12)) continue;
    const py = toPy(t.value);
    parts.push(
      `<line x1="${x + BAR_WIDTH}" y1="${fmt(py)}" x2="${x + BAR_WIDTH + 4}" y2="${fmt(py)}" stroke="#333333"/><text x="${x + BAR_WIDTH + 7}" y="${fmt(py + 4)}" data-value="${t.value}">${escapeXml(t.label)}</text>`,
    );
  }
  parts.push('</g>');
  const cx = width - 12;
  const cy = fmt(frame.top + frame.height / 2);
  parts.push(
    `<text class="colorbar-label" x="${cx}" y="${cy}" text-anchor="middle" transform="rotate(-90 ${cx} ${cy})">${escapeXml(label)}</text>`,
  );
  return parts;
}
