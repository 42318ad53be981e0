/**
 * The colour scale of sluice's heatmaps: viridis (d3-scale-chromatic's interpolateViridis, which
 * is matplotlib's 256-entry _viridis_data table rounded to 8 bits and looked up as matplotlib's
 * ListedColormap does, entry ⌊t·256⌋), a value → level map (linear or log) and the colour bar.
 * Pure (no I/O).
 */
import { interpolateViridis } from 'd3-scale-chromatic';
import type { PlotFrame } from './axes.ts';
import { escapeXml, fmt, linearTicks, logTicks } from './axes.ts';

/** Colours the scale is quantised to: viridis' table has 256 entries. */
export const LEVELS = 256;

/** Room on the right of the plot for the colour bar, its ticks and label. */
export const BAR_SPACE = 96;
const BAR_WIDTH = 16;
/** Every 4th table entry (and the last) as a gradient stop: the bar shows the table's curve. */
const BAR_STOP_EVERY = 4;

/** The viridis colour of t in [0, 1] as #rrggbb: table entry ⌊t·256⌋ (matplotlib's lookup). */
export function viridis(t: number): string {
  return interpolateViridis(Math.min(Math.max(t, 0), 1));
}

/** The colour of level k (0 … 255): viridis table entry k. */
export function viridisLevel(level: number): string {
  return interpolateViridis((level + 0.5) / LEVELS);
}

/** The viridis table entry of level k as [r, g, b] bytes. */
export function viridisBytes(level: number): [number, number, number] {
  const hex = viridisLevel(level);
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** The colour level (0 … LEVELS − 1) of a value; −1 for a blank cell (≤ 0 on a log scale, NaN). */
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
export function colorBar(
  frame: PlotFrame,
  cmin: number,
  cmax: number,
  log: boolean,
  label: string,
): string[] {
  const x = frame.left + frame.width + 16;
  const bottom = frame.top + frame.height;
  // The bar spans the colour range exactly; its ticks lie inside it.
  const ticks = log ? logTicks([cmin, cmax], true) : linearTicks([cmin, cmax], 6, true);
  const scale = log ? Math.log10 : (v: number) => v;
  const toPy = (v: number) =>
    bottom - ((scale(v) - scale(cmin)) / (scale(cmax) - scale(cmin) || 1)) * frame.height;
  const stops: string[] = [];
  for (let k = 0; k < LEVELS; k += BAR_STOP_EVERY) stops.push(gradientStop(k));
  stops.push(gradientStop(LEVELS - 1));
  const parts = [
    `<defs><linearGradient id="colorbar-gradient" x1="0" y1="1" x2="0" y2="0">${stops.join('')}</linearGradient></defs>`,
    `<rect class="colorbar" x="${fmt(x)}" y="${fmt(frame.top)}" width="${BAR_WIDTH}" height="${fmt(frame.height)}" fill="url(#colorbar-gradient)" stroke="#333333" data-min="${cmin}" data-max="${cmax}" data-scale="${log ? 'log' : 'linear'}"/>`,
    '<g class="colorbar-ticks" text-anchor="start">',
  ];
  for (const t of ticks) {
    const py = fmt(toPy(t.value));
    if (t.minor) {
      parts.push(
        `<line class="minor" x1="${fmt(x + BAR_WIDTH)}" y1="${py}" x2="${fmt(x + BAR_WIDTH + 2)}" y2="${py}" stroke="#333333"/>`,
      );
      continue;
    }
    parts.push(
      `<line x1="${fmt(x + BAR_WIDTH)}" y1="${py}" x2="${fmt(x + BAR_WIDTH + 4)}" y2="${py}" stroke="#333333"/><text x="${fmt(x + BAR_WIDTH + 7)}" y="${fmt(toPy(t.value) + 4)}" data-value="${t.value}">${escapeXml(t.label)}</text>`,
    );
  }
  parts.push('</g>');
  const cx = fmt(frame.left + frame.width + BAR_SPACE + 12);
  const cy = fmt(frame.top + frame.height / 2);
  parts.push(
    `<text class="colorbar-label" x="${cx}" y="${cy}" text-anchor="middle" transform="rotate(-90 ${cx} ${cy})">${escapeXml(label)}</text>`,
  );
  return parts;
}

/** A gradient stop at the centre of level k's band, in its colour. */
function gradientStop(level: number): string {
  return `<stop offset="${fmt(((level + 0.5) / LEVELS) * 100)}%" stop-color="${viridisLevel(level)}"/>`;
}
