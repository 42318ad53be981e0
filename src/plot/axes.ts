/**
 * What every sluice plot shares: tick placement, number formatting, data-to-pixel scaling and
 * the SVG around the plot area (background, title, grid, frame, ticks, axis labels). Pure (no
 * I/O); the line plot, the histogram step plot and the heatmaps draw their data between the
 * grid and the frame. Scales, nice ranges and tick values are d3's (d3-scale, d3-array); the
 * labels are formatted here (SI prefixes from 10^3 up, plain decimals below: d3-format's SI
 * style would write 0.25 as "250m").
 */
import { tickStep, ticks } from 'd3-array';
import { scaleLinear, scaleLog } from 'd3-scale';

export interface Tick {
  /** Data value of the tick. */
  readonly value: number;
  /** Empty on a minor tick (2 … 9 × 10^k on a log axis), which has no grid line either. */
  readonly label: string;
  readonly minor?: boolean;
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
 * An axis over `range` from pixel `from` to `to`. By default its span is widened to round
 * values (d3's nice()), so the first and last ticks sit on its ends; `exact` keeps the span
 * at `range` (a spectrum ending at Nyquist, a heatmap's outer bin edges) with the ticks
 * inside it.
 */
export function makeAxis(
  range: readonly [number, number],
  log: boolean,
  from: number,
  to: number,
  exact = false,
): Axis {
  const span: [number, number] = exact ? [range[0], range[1]] : niceSpan(range, log);
  const ticks = log ? logTicks(span, exact) : linearTicks(span, TICK_COUNT, exact);
  const toPixel = scaler(span, log, from, to);
  return { ticks: exact ? withEndTicks(ticks, span, toPixel) : ticks, span, log, toPixel };
}

/** Pixels an end label keeps from the nearest labelled tick, so the two do not overlap. */
const END_LABEL_GAP = 48;

/**
 * An exact axis' ticks with both ends labelled too (a spectrum's Nyquist frequency, a
 * detector's edge), to three significant digits, unless an end is a tick already or too
 * close to the nearest labelled one.
 */
function withEndTicks(
  ticks: readonly Tick[],
  [lo, hi]: readonly [number, number],
  toPixel: (v: number) => number,
): Tick[] {
  const labelled = ticks.filter((t) => !t.minor);
  const step = labelled.length > 1 ? Math.abs(labelled[1].value - labelled[0].value) : Math.abs(hi - lo);
  const clear = (end: number, nearest: Tick | undefined) =>
    Number.isFinite(end) && !(nearest && Math.abs(toPixel(end) - toPixel(nearest.value)) < END_LABEL_GAP);
  const out = ticks.filter((t) => t.value > lo && t.value < hi);
  const first = labelled.find((t) => t.value >= lo);
  const last = labelled.filter((t) => t.value <= hi).at(-1);
  if (first?.value === lo || !clear(lo, first)) out.unshift(...ticks.filter((t) => t.value === lo));
  else out.unshift(endTick(lo, step));
  if (last?.value === hi || !clear(hi, last)) out.push(...ticks.filter((t) => t.value === hi && hi !== lo));
  else out.push(endTick(hi, step));
  return out;
}

/** A tick at an axis end: labelled like its neighbours when that is exact to 3 digits, else to 3 digits. */
function endTick(end: number, step: number): Tick {
  const rounded = Number(end.toPrecision(3));
  const plain = formatNumber(rounded, step);
  const exact = Math.abs(parseLabel(plain) - rounded) <= Math.abs(rounded) * 1e-9;
  return { value: end, label: exact ? plain : formatNumber(rounded, Math.abs(rounded) / 100 || step) };
}

/** The number an axis label stands for (SI prefixes undone). */
function parseLabel(label: string): number {
  const scale: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  const prefix = label.at(-1) ?? '';
  return prefix in scale ? Number(label.slice(0, -1)) * scale[prefix] : Number(label);
}

/** About this many ticks on a linear axis. */
const TICK_COUNT = 6;

/** `range` widened to round values as d3's nice() does (whole decades on a log axis). */
export function niceSpan(range: readonly [number, number], log: boolean): [number, number] {
  const scale = log ? scaleLog().domain(range).nice() : scaleLinear().domain(range).nice(TICK_COUNT);
  const [lo, hi] = scale.domain();
  // nice() can give −0, which would print as "-0".
  return [lo + 0, hi + 0];
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
    if (t.minor) continue;
    const px = fmt(x.toPixel(t.value));
    parts.push(`<line x1="${px}" y1="${frame.top}" x2="${px}" y2="${frame.top + frame.height}"/>`);
  }
  for (const t of y.ticks) {
    if (t.minor) continue;
    const py = fmt(y.toPixel(t.value));
    parts.push(`<line x1="${frame.left}" y1="${py}" x2="${frame.left + frame.width}" y2="${py}"/>`);
  }
  parts.push('</g>');
  return parts;
}

/** The frame, the ticks with their labels and the axis labels, drawn over the data. */
export function svgAxes(height: number, frame: PlotFrame, x: Axis, y: Axis, text: FrameText): string[] {
  const parts: string[] = [
    `<rect class="frame" x="${fmt(frame.left)}" y="${fmt(frame.top)}" width="${fmt(frame.width)}" height="${fmt(frame.height)}" fill="none" stroke="#333333"/>`,
  ];
  const bottom = frame.top + frame.height;
  parts.push('<g class="x-ticks" text-anchor="middle">');
  for (const t of x.ticks) {
    const px = fmt(x.toPixel(t.value));
    parts.push(
      t.minor
        ? `<line class="minor" x1="${px}" y1="${bottom}" x2="${px}" y2="${bottom + 3}" stroke="#333333"/>`
        : `<line x1="${px}" y1="${bottom}" x2="${px}" y2="${bottom + 5}" stroke="#333333"/><text x="${px}" y="${bottom + 19}" data-value="${t.value}">${escapeXml(t.label)}</text>`,
    );
  }
  parts.push('</g>');
  parts.push('<g class="y-ticks" text-anchor="end">');
  for (const t of y.ticks) {
    const py = fmt(y.toPixel(t.value));
    if (t.minor) {
      parts.push(
        `<line class="minor" x1="${frame.left - 3}" y1="${py}" x2="${frame.left}" y2="${py}" stroke="#333333"/>`,
      );
      continue;
    }
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
    // 66 px left of the frame: at x = 18 for the usual margin.
    const cx = fmt(frame.left - 66);
    const cy = fmt(frame.top + frame.height / 2);
    parts.push(
      `<text class="y-label" x="${cx}" y="${cy}" text-anchor="middle" transform="rotate(-90 ${cx} ${cy})">${escapeXml(text.yLabel)}</text>`,
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

/**
 * About `count` ticks at 1, 2 or 5 × 10^k steps (d3's ticks): covering [lo, hi], one step
 * beyond each end where the ends are not on a step; or, `inside`, only those within [lo, hi].
 */
export function linearTicks([lo, hi]: readonly [number, number], count = TICK_COUNT, inside = false): Tick[] {
  const [a, b] = inside ? [lo, hi] : scaleLinear().domain([lo, hi]).nice(count).domain();
  const step = tickStep(a, b, count);
  return ticks(a, b, count).map((value) => ({ value: value + 0, label: formatNumber(value + 0, step) }));
}

/**
 * A labelled tick per decade of [lo, hi] (every 2nd, 3rd … decade when there are many, as
 * d3's log ticks thin them), and where the axis spans few decades unlabelled minor ticks at
 * 2 … 9 × 10^k. An `inside` range less than a decade wide labels the ticks it has.
 */
export function logTicks([lo, hi]: readonly [number, number], inside = false): Tick[] {
  const span = inside ? [lo, hi] : scaleLog().domain([lo, hi]).nice().domain();
  const all = scaleLog().domain(span).ticks();
  const isDecade = (v: number) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
  const decades = all.filter(isDecade);
  // More than ~8 decades: label every 2nd, 3rd … one, as the old axes did.
  const every = Math.max(1, Math.ceil((decades.length - 1) / 8));
  const labelled = new Set(decades.filter((v) => Math.round(Math.log10(v)) % every === 0));
  if (labelled.size === 0) for (const v of all) labelled.add(v);
  const minor = decades.length <= 4;
  return all
    .filter((v) => labelled.has(v) || (minor && !isDecade(v)))
    .map((value) =>
      labelled.has(value)
        ? { value, label: isDecade(value) ? formatPower(Math.round(Math.log10(value))) : formatNumber(value) }
        : { value, label: '', minor: true },
    );
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

/** The linear (or log10) map of [lo, hi] onto pixels [from, to]. */
export function scaler(
  [lo, hi]: readonly [number, number],
  log: boolean,
  from: number,
  to: number,
): (v: number) => number {
  const scale = (log ? scaleLog() : scaleLinear()).domain([lo, hi]).range([from, to]);
  return (v) => scale(v);
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
