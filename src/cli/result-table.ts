/**
 * A sink's result on a terminal, for sinks that write no file (whose result would otherwise
 * be lost): statistics and quantiles as aligned tables, a histogram or a spectrum as a
 * one-line summary, anything else as short JSON. The result is recognised by its shape.
 */
import { formatValue } from '../report/quantity.ts';
import { resultJsonReplacer } from '../report/result-json.ts';

type Row = readonly string[];

/** Columns padded to their widest cell; numbers (every column but the first) right-aligned. */
export function formatTable(head: Row, rows: readonly Row[], indent = '    ', numeric = true): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const right = (i: number, isHead: boolean) => numeric && i > 0 && !isHead;
  const line = (row: Row, isHead: boolean) =>
    indent +
    row
      .map((cell, i) => (right(i, isHead) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head, true), ...rows.map((row) => line(row, false))];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

/** The lines that show `result` (indented under the sink's summary line). */
export function formatResult(result: unknown): string[] {
  if (!isRecord(result)) return result === undefined ? [] : [`    ${shortJson(result)}`];
  const { columns } = result;
  if (Array.isArray(columns) && columns.every((c) => isRecord(c) && isRecord(c.quantiles))) {
    return quantilesTable(columns as QuantileColumn[]);
  }
  if (isRecord(columns) && Object.values(columns).every((c) => isRecord(c) && 'mean' in c && 'std' in c)) {
    return statsTable(columns as Record<string, Record<string, unknown>>);
  }
  if (isNumbers(result.edges) && isNumbers(result.counts)) return [histogramLine(result)];
  if (isNumbers(result.xedges) && isNumbers(result.yedges) && Array.isArray(result.counts)) {
    return [histogram2dLine(result)];
  }
  if (isNumbers(result.frequencies)) return [spectrumLine(result)];
  return [`    ${shortJson(result)}`];
}

function statsTable(columns: Record<string, Record<string, unknown>>): string[] {
  const keys = ['count', 'mean', 'std', 'min', 'max', 'nanCount'];
  const rows = Object.entries(columns).map(([name, s]) => [name, ...keys.map((k) => formatValue(s[k]))]);
  return formatTable(['column', 'count', 'mean', 'std', 'min', 'max', 'NaN'], rows);
}

interface QuantileColumn {
  readonly column: string;
  readonly count: number;
  readonly median: unknown;
  readonly quantiles: Record<string, unknown>;
  readonly rankError?: number;
  readonly exact?: boolean;
}

function quantilesTable(columns: readonly QuantileColumn[]): string[] {
  const qs = [...new Set(columns.flatMap((c) => Object.keys(c.quantiles)))].sort((a, b) => +a - +b);
  const rows = columns.map((c) => [
    c.column,
    formatValue(c.count),
    formatValue(c.median),
    ...qs.map((q) => formatValue(c.quantiles[q])),
    c.exact ? 'exact' : `±${formatValue((c.rankError ?? 0) * 100)}% rank`,
  ]);
  return formatTable(['column', 'count', 'median', ...qs.map((q) => `q${q}`), 'error'], rows);
}

function histogramLine(h: Record<string, unknown>): string {
  const edges = h.edges as number[];
  const counts = h.counts as number[];
  const total = counts.reduce((a, b) => a + b, 0);
  const peak = counts.reduce((best, c, i) => (c > counts[best] ? i : best), 0);
  const outside = ['underflow', 'overflow', 'nan']
    .filter((k) => typeof h[k] === 'number' && (h[k] as number) > 0)
    .map((k) => `${k} ${formatValue(h[k])}`);
  const parts = [
    `${counts.length} bins over [${formatValue(edges[0])}, ${formatValue(edges[edges.length - 1])}]`,
    `${formatValue(total)} counted`,
    ...(total > 0
      ? [
          `fullest [${formatValue(edges[peak])}, ${formatValue(edges[peak + 1])}) with ${formatValue(counts[peak])}`,
        ]
      : []),
    ...outside,
  ];
  return `    ${h.column === undefined ? '' : `${String(h.column)}: `}${parts.join('; ')}`;
}

function histogram2dLine(h: Record<string, unknown>): string {
  const xe = h.xedges as number[];
  const ye = h.yedges as number[];
  const counts = (h.counts as unknown[]).flat() as number[];
  const total = counts.reduce((a, b) => a + b, 0);
  const range = (e: number[]) => `[${formatValue(e[0])}, ${formatValue(e[e.length - 1])}]`;
  return `    ${String(h.x)} × ${String(h.y)}: ${xe.length - 1} × ${ye.length - 1} bins over ${range(xe)} × ${range(ye)}; ${formatValue(total)} counted; fullest cell ${formatValue(Math.max(0, ...counts))}`;
}

function spectrumLine(s: Record<string, unknown>): string {
  const f = s.frequencies as number[];
  const [name, values] = Object.entries(s).find(([k, v]) => k !== 'frequencies' && isNumbers(v)) ?? [];
  const parts = [`${f.length} frequencies, ${formatValue(f[0])}–${formatValue(f[f.length - 1])} Hz`];
  if (typeof s.segments === 'number') parts.push(`${formatValue(s.segments)} segments`);
  if (isNumbers(values) && values.length === f.length && values.length > 0) {
    const k = values.reduce((best, v, i) => (i > 0 && v > values[best] ? i : best), f.length > 1 ? 1 : 0);
    parts.push(`largest ${name} ${formatValue(values[k])} at ${formatValue(f[k])} Hz (DC left out)`);
  }
  return `    ${parts.join('; ')}`;
}

/** JSON on one line, cut at `max` characters. */
export function shortJson(value: unknown, max = 200): string {
  const text = JSON.stringify(value, resultJsonReplacer) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
