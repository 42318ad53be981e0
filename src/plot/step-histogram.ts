/**
 * A histogram as a step plot in standalone SVG: counts against bin edges (the mass spectrum of
 * an atom-probe run), counts on a linear axis from 0 or on a log axis. Pure (no I/O).
 */
import type { FrameText } from './axes.ts';
import { fmt, makeAxis, plotFrame, svgAxes, svgHead } from './axes.ts';

export interface HistogramPlotOptions extends FrameText {
  readonly width?: number;
  readonly height?: number;
  /** Counts on a logarithmic axis; empty bins drop to the bottom of the axis. */
  readonly logY?: boolean;
}

const STEP_COLOR = '#1f5fbf';
const FILL_COLOR = '#1f5fbf22';

/** Renders `counts` (bins) over `edges` (bins + 1, increasing) as an SVG document. */
export function renderSvgHistogram(
  edges: ArrayLike<number>,
  counts: ArrayLike<number>,
  options: HistogramPlotOptions = {},
): string {
  if (edges.length !== counts.length + 1) throw new RangeError('edges must number counts + 1');
  const width = options.width ?? 800;
  const height = options.height ?? 500;
  const logY = options.logY ?? false;
  const frame = plotFrame(width, height);
  const bottom = frame.top + frame.height;
  const xRange: [number, number] =
    edges.length > 1 && edges[edges.length - 1] > edges[0] ? [edges[0], edges[edges.length - 1]] : [0, 1];
  const xAxis = makeAxis(xRange, false, frame.left, frame.left + frame.width);
  const yAxis = makeAxis(countRange(counts, logY), logY, bottom, frame.top);
  const floor = yAxis.span[0];
  // Counts below the axis (0 on a log axis) sit on its bottom, as matplotlib's clip does.
  const toPy = (c: number) => (logY && c < floor ? bottom : yAxis.toPixel(Math.max(c, floor)));
  const d = stepPath(edges, counts, xAxis.toPixel, toPy, bottom);
  const parts = svgHead(width, height, frame, xAxis, yAxis, options);
  parts.push(
    `<path class="data" fill="${FILL_COLOR}" stroke="${STEP_COLOR}" stroke-width="1" stroke-linejoin="miter" d="${d}"/>`,
  );
  parts.push(...svgAxes(height, frame, xAxis, yAxis, options), '</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * [0, max] on a linear axis; on a log one [min(1, min positive), max] ([1, 10] when all are 0),
 * so a bin of one count shows above the floor-level empty bins' neighbours.
 */
export function countRange(counts: ArrayLike<number>, log: boolean): [number, number] {
  let lo = Infinity;
  let hi = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > hi) hi = c;
    if (c > 0 && c < lo) lo = c;
  }
  if (!log) return [0, hi > 0 ? hi : 1];
  if (hi <= 0) return [1, 10];
  lo = Math.min(lo, 1);
  return lo === hi ? [lo / 10, hi * 10] : [lo, hi];
}

/**
 * The outline: from the baseline up each bin's left edge, across its top, down or up to the
 * next bin. More bins than pixel columns merge per column into a vertical stroke from the
 * column's lowest to its highest count, which is what the full outline shows at that width.
 */
export function stepPath(
  edges: ArrayLike<number>,
  counts: ArrayLike<number>,
  toPx: (v: number) => number,
  toPy: (c: number) => number,
  baseline: number,
): string {
  const bins = counts.length;
  if (bins === 0) return '';
  const x0 = toPx(edges[0]);
  const out: string[] = [`M${fmt(x0)},${fmt(baseline)}`];
  let column = Math.floor(x0);
  let lo = counts[0];
  let hi = counts[0];
  let last = counts[0];
  out.push(`V${fmt(toPy(last))}`);
  for (let i = 1; i <= bins; i++) {
    const px = toPx(edges[i]);
    const c = Math.floor(px);
    if (i < bins && c === column) {
      // Still inside this pixel column: widen its stroke.
      const v = counts[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      last = v;
      continue;
    }
    if (lo !== hi) out.push(`V${fmt(toPy(lo))}V${fmt(toPy(hi))}V${fmt(toPy(last))}`);
    out.push(`H${fmt(px)}`);
    if (i < bins) {
      lo = hi = last = counts[i];
      out.push(`V${fmt(toPy(last))}`);
      column = c;
    }
  }
  out.push(`V${fmt(baseline)}Z`);
  return out.join('');
}
