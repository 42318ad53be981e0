/**
 * A line plot as standalone SVG text: axes, ticks, grid, labels, a title and one polyline.
 * Pure (no I/O) so the plot sink and tests share it. Spectra can have 10^5 points: the line
 * is reduced to at most four points (first, min, max, last) per pixel column, which draws the
 * same picture as the full line at the plot's resolution.
 */
import type { FrameText } from './axes.ts';
import { dataRange, fmt, isPlottable, makeAxis, plotFrame, svgAxes, svgHead } from './axes.ts';

// The axis helpers lived here first; callers and tests still import them from this module.
export type { PlotFrame, Tick } from './axes.ts';
export { dataRange, escapeXml, formatNumber, linearTicks, logTicks } from './axes.ts';

export interface PlotOptions extends FrameText {
  readonly width?: number;
  readonly height?: number;
  /** Logarithmic x axis; points with x ≤ 0 are left out (a spectrum's DC bin). */
  readonly logX?: boolean;
  /** Logarithmic y axis; points with y ≤ 0 are left out. */
  readonly logY?: boolean;
  /**
   * The x axis spans exactly the data's x range, ticks inside it, instead of widening to round
   * values: a spectrum's axis ends at its last bin (Nyquist), not at the next decade.
   */
  readonly exactX?: boolean;
}

const LINE_COLOR = '#1f5fbf';

/** Renders `y` against `x` (equal lengths) as an SVG document. */
export function renderSvgPlot(x: ArrayLike<number>, y: ArrayLike<number>, options: PlotOptions = {}): string {
  if (x.length !== y.length) throw new RangeError('x and y differ in length');
  const width = options.width ?? 800;
  const height = options.height ?? 500;
  const frame = plotFrame(width, height);
  const logX = options.logX ?? false;
  const logY = options.logY ?? false;
  const xAxis = makeAxis(dataRange(x, logX), logX, frame.left, frame.left + frame.width, options.exactX);
  const yAxis = makeAxis(dataRange(y, logY, x, logX), logY, frame.top + frame.height, frame.top);
  const points = envelopePoints(x, y, xAxis.toPixel, yAxis.toPixel, logX, logY);
  const parts = svgHead(width, height, frame, xAxis, yAxis, options);
  parts.push(
    `<polyline class="data" fill="none" stroke="${LINE_COLOR}" stroke-width="1.2" stroke-linejoin="round" points="${points.join(' ')}"/>`,
  );
  parts.push(...svgAxes(height, frame, xAxis, yAxis, options), '</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * The polyline's points: for each pixel column the first, lowest, highest and last point,
 * in order, which keeps narrow peaks (a tone's bin) that plain decimation would drop.
 */
export function envelopePoints(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  toPx: (v: number) => number,
  toPy: (v: number) => number,
  logX: boolean,
  logY: boolean,
): string[] {
  const out: string[] = [];
  let column = NaN;
  let firstI = -1;
  let minI = -1;
  let maxI = -1;
  let lastI = -1;
  const flush = () => {
    if (firstI < 0) return;
    const picks = [...new Set([firstI, minI, maxI, lastI])].sort((a, b) => a - b);
    for (const i of picks) out.push(`${fmt(toPx(x[i]))},${fmt(toPy(y[i]))}`);
  };
  for (let i = 0; i < x.length; i++) {
    if (!isPlottable(x[i], logX) || !isPlottable(y[i], logY)) continue;
    const c = Math.floor(toPx(x[i]));
    if (c !== column) {
      flush();
      column = c;
      firstI = minI = maxI = i;
    }
    if (y[i] < y[minI]) minI = i;
    if (y[i] > y[maxI]) maxI = i;
    lastI = i;
  }
  flush();
  return out;
}
