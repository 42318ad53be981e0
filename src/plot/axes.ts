/**
 * What every sluice plot shares: tick placement, number formatting, data-to-pixel scaling and
 * the SVG around the plot area (background, title, grid, frame, ticks, axis labels). Pure (no
 * I/O); the line plot, the histogram step plot and the heatmap draw their data between the
 * grid and the frame.
 */

export interface Tick {
  /** Data value of the tick. */
  readonly value: number;
  readonly label: string;
}

/** The plot area inside the SVG (pixels), as margins leave it. */
export interface PlotFrame {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export const MARGIN = { left: 84, right: 24, top: 44, bottom: 56 } as const;

/** The plot area of a `width` × `height` picture; `extraRight` pixels kept for a colour bar. */
export function plotFrame(width: number, height: number, extraRight = 0): PlotFrame {
  return {
    left: MARGIN.left,
    top: MARGIN.top,
    width: width - MARGIN.left - MARGIN.right - extraRight,
    height: height - MARGIN.top - MARGIN.bottom,
  };
}

/** One axis: its ticks, the span it shows and the data → pixel map. */
export interface Axis {
  readonly ticks: readonly Tick[];
  readonly span: readonly [number, number];
  readonly log: boolean;
  readonly toPixel: (v: number) => number;
}

/**
 * An axis over `range` from pixel `from` to `to`; it spans its ticks when those lie outside
 * the data, so every tick is on the axis.
 */
export function makeAxis(range: readonly [number, number], log: boolean, from: number, to: number): Axis {
  const ticks = log ? logTicks(range) : linearTicks(range);
  const span = spanOf(range, ticks, log);
  return { ticks, span, log, toPixel: scaler(span, log, from, to) };
}

export interface FrameText {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
}

/** The SVG's opening: root element, white background, title, then the grid of both axes. */
export function svgHead(
  width: number,
  height: number,
  frame: PlotFrame,
  x: Axis,
  y: Axis,
  text: FrameText,
): string[] {
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (text.title) {
    parts.push(
      `<text class="title" x="${width / 2}" y="${MARGIN.top / 2 + 6}" text-anchor="middle" font-size="16">${escapeXml(text.title)}</text>`,
    );
  }
  parts.push('<g class="grid" stroke="#e3e3e3" stroke-width="1">');
  for (const t of x.ticks) {
    const px = fmt(x.toPixel(t.value));
    parts.push(`<line x1="${px}" y1="${frame.top}" x2="${px}" y2="${frame.top + frame.height}"/>`);
  }
  for (const t of y.ticks) {
    const py = fmt(y.toPixel(t.value));
    parts.push(`<line x1="${frame.left}" y1="${py}" x2="${frame.left + frame.width}" y2="${py}"/>`);
  }
  parts.push('</g>');
  return parts;
}

/** The frame, the ticks with their labels and the axis labels, drawn over the data. */
export function svgAxes(height: number, frame: PlotFrame, x: Axis, y: Axis, text: FrameText): string[] {
  const parts: string[] = [
    `<rect class="frame" x="${frame.left}" y="${frame.top}" width="${frame.width}" height="${frame.height}" fill="none" stroke="#333333"/>`,
  ];
  const bottom = frame.top + frame.height;
  parts.push('<g class="x-ticks" text-anchor="middle">');
  for (const t of x.ticks) {
    const px = fmt(x.toPixel(t.value));
    parts.push(
      `<line x1="${px}" y1="${bottom}" x2="${px}" y2="${bottom + 5}" stroke="#333333"/><text x="${px}" y="${bottom + 19}" data-value="${t.value}">${escapeXml(t.label)}</text>`,
    );
  }
  parts.push('</g>');
  parts.push('<g class="y-ticks" text-anchor="end">');
  for (const t of y.ticks) {
    const py = fmt(y.toPixel(t.value));
    parts.push(
      `<line x1="${frame.left - 5}" y1="${py}" x2="${frame.left}" y2="${py}" stroke="#333333"/><text x="${frame.left - 8}" y="${fmt(y.toPixel(t.value) + 4)}" data-value="${t.value}">${escapeXml(t.label)}</text>`,
    );
  }
  parts.push('</g>');
  if (text.xLabel) {
    parts.push(
      `<text class="x-label" x="${fmt(frame.left + frame.width / 2)}" y="${height - 14}" text-anchor="middle">${escapeXml(text.xLabel)}</text>`,
    );
  }
  if (text.yLabel) {
    const cy = fmt(frame.top + frame.height / 2);
    parts.push(
      `<text class="y-label" x="18" y="${cy}" text-anchor="middle" transform="rotate(-90 18 ${cy})">${escapeXml(text.yLabel)}</text>`,
    );
  }
  return parts;
}

/** [min, max] of the plottable values (finite, and > 0 on a log axis); [0, 1] when there are none. */
export function dataRange(
  values: ArrayLike<number>,
  log: boolean,
  other?: ArrayLike<number>,
  otherLog = false,
): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isPlottable(v, log) || (other && !isPlottable(other[i], otherLog))) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return log ? [1, 10] : [0, 1];
  if (lo === hi)
    return log ? [lo / 10, hi * 10] : [lo - (Math.abs(lo) || 1) / 2, hi + (Math.abs(hi) || 1) / 2];
  return [lo, hi];
}

/** About `count` ticks at 1, 2 or 5 × 10^k steps covering [lo, hi]. */
export function linearTicks([lo, hi]: readonly [number, number], count = 6): Tick[] {
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const first = Math.floor(lo / step);
  const last = Math.ceil(hi / step);
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks: Tick[] = [];
  for (let k = first; k <= last; k++) {
    const value = Number((k * step).toFixed(decimals));
    ticks.push({ value, label: formatNumber(value, step) });
  }
  return ticks;
}

/** A tick per decade covering [lo, hi] (every 2nd, 3rd … decade when there are many). */
export function logTicks([lo, hi]: readonly [number, number]): Tick[] {
  const first = Math.floor(Math.log10(lo) + 1e-9);
  const last = Math.ceil(Math.log10(hi) - 1e-9);
  const every = Math.max(1, Math.ceil((last - first) / 8));
  const ticks: Tick[] = [];
  for (let e = first; e <= last + every - 1; e += every) {
    const value = 10 ** e;
    ticks.push({ value, label: formatPower(e) });
    if (e >= last) break;
  }
  return ticks;
}

/** The number as an axis label: SI prefixes from 10^3 up, plain decimals below. */
export function formatNumber(value: number, step = Math.abs(value)): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const prefixes: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, prefix] of prefixes) {
    if (abs >= scale) {
      const decimals = Math.max(0, -Math.floor(Math.log10(step / scale) + 1e-9));
      return `${(value / scale).toFixed(Math.min(decimals, 6))}${prefix}`;
    }
  }
  if (abs < 1e-3) return value.toExponential(Math.max(0, Math.round(-Math.log10(step / abs))));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(Math.min(decimals, 6));
}

function formatPower(exponent: number): string {
  if (exponent >= 0 && exponent < 3) return String(10 ** exponent);
  if (exponent >= 3 && exponent <= 14) return formatNumber(10 ** exponent);
  if (exponent < 0 && exponent >= -3) return (10 ** exponent).toFixed(-exponent);
  return `1e${exponent}`;
}

export function isPlottable(v: number, log: boolean): boolean {
  return Number.isFinite(v) && (!log || v > 0);
}

function spanOf(range: readonly [number, number], ticks: readonly Tick[], log: boolean): [number, number] {
  const lo = Math.min(range[0], ticks[0]?.value ?? range[0]);
  const hi = Math.max(range[1], ticks.at(-1)?.value ?? range[1]);
  return log ? [Math.max(lo, Number.MIN_VALUE), hi] : [lo, hi];
}

/** The linear (or log10) map of [lo, hi] onto pixels [from, to]. */
export function scaler(
  [lo, hi]: readonly [number, number],
  log: boolean,
  from: number,
  to: number,
): (v: number) => number {
  const f = log ? Math.log10 : (v: number) => v;
  const a = f(lo);
  const span = f(hi) - a || 1;
  return (v) => from + ((f(v) - a) / span) * (to - from);
}

/** A pixel coordinate with at most two decimals. */
export function fmt(v: number): string {
  return String(Math.round(v * 100) / 100);
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`,
  );
}
