/**
 * A sink's result as HTML, recognised by its shape: statistics and quantiles as tables, a
 * histogram or a spectrum as a few facts (the plot shows the rest), anything else as JSON.
 */
import { escapeHtml, htmlFacts, htmlTable } from './html.ts';
import { formatValue } from './quantity.ts';
import { resultJsonReplacer } from './result-json.ts';

type Fields = Record<string, unknown>;

const isRecord = (v: unknown): v is Fields => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumbers = (v: unknown): v is ArrayLike<number> =>
  (Array.isArray(v) && v.every((x) => typeof x === 'number')) ||
  (ArrayBuffer.isView(v) &&
    !(v instanceof DataView) &&
    !(v instanceof BigInt64Array || v instanceof BigUint64Array));

/** The HTML that shows `result`; empty for a sink without one. `hertz`: frequencies are in Hz. */
export function resultHtml(result: unknown, hertz = false): string {
  if (result === undefined || result === null) return '';
  if (!isRecord(result)) return jsonHtml(result);
  const { columns } = result;
  if (Array.isArray(columns) && columns.every((c) => isRecord(c) && isRecord(c.quantiles))) {
    return quantilesTable(columns as Fields[]);
  }
  if (isRecord(columns) && Object.values(columns).every((c) => isRecord(c) && 'mean' in c)) {
    return statsTable(columns as Record<string, Fields>);
  }
  if (isNumbers(result.xedges) && isNumbers(result.yedges) && Array.isArray(result.counts)) {
    return histogram2dFacts(result);
  }
  if (isNumbers(result.edges) && isNumbers(result.counts)) return histogramFacts(result);
  const unit = hertz ? ' Hz' : ' cycles/sample';
  if (isNumbers(result.frequencies) && (isNumbers(result.psd) || isNumbers(result.magnitudeDb))) {
    return spectrumFacts(result, unit);
  }
  if (isNumbers(result.frequencies) && isRecord(result.times) && Array.isArray(result.shape)) {
    return spectrogramFacts(result, unit);
  }
  return jsonHtml(result);
}

const cell = (value: unknown) => escapeHtml(formatValue(value));

function statsTable(columns: Record<string, Fields>): string {
  const keys = ['count', 'mean', 'std', 'min', 'max', 'nanCount'];
  const rows = Object.entries(columns).map(([name, s]) => [escapeHtml(name), ...keys.map((k) => cell(s[k]))]);
  return htmlTable(['column', 'count', 'mean', 'std', 'min', 'max', 'NaN'], rows);
}

function quantilesTable(columns: readonly Fields[]): string {
  const qs = [...new Set(columns.flatMap((c) => Object.keys(c.quantiles as Fields)))].sort((a, b) => +a - +b);
  const rows = columns.map((c) => [
    escapeHtml(String(c.column)),
    cell(c.count),
    cell(c.median),
    ...qs.map((q) => cell((c.quantiles as Fields)[q])),
    c.exact ? 'exact' : `±${Number((Number(c.rankError ?? 0) * 100).toPrecision(2))} % of rank`,
  ]);
  return htmlTable(['column', 'count', 'median', ...qs.map((q) => `q ${q}`), 'error'], rows);
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

function histogramFacts(h: Fields): string {
  const edges = h.edges as ArrayLike<number>;
  const counts = h.counts as ArrayLike<number>;
  let peak = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i] > counts[peak]) peak = i;
  const total = sum(counts);
  const facts: [string, string][] = [
    ...(h.column === undefined ? [] : [['column', escapeHtml(String(h.column))] as [string, string]]),
    ['bins', `${cell(counts.length)} over [${cell(edges[0])}, ${cell(edges[edges.length - 1])}]`],
    ['counted', cell(total)],
  ];
  if (total > 0) {
    facts.push([
      'fullest bin',
      `[${cell(edges[peak])}, ${cell(edges[peak + 1])}) with ${cell(counts[peak])}`,
    ]);
  }
  for (const key of ['underflow', 'overflow', 'nan']) {
    if (typeof h[key] === 'number' && h[key] > 0) facts.push([key, cell(h[key])]);
  }
  return htmlFacts(facts);
}

function histogram2dFacts(h: Fields): string {
  const xe = h.xedges as ArrayLike<number>;
  const ye = h.yedges as ArrayLike<number>;
  const rows = h.counts as ArrayLike<number>[];
  let total = 0;
  let fullest = 0;
  for (const row of rows) {
    total += sum(row);
    for (let i = 0; i < row.length; i++) fullest = Math.max(fullest, row[i]);
  }
  const range = (e: ArrayLike<number>) => `[${cell(e[0])}, ${cell(e[e.length - 1])}]`;
  return htmlFacts([
    ['axes', `${escapeHtml(String(h.x))} × ${escapeHtml(String(h.y))}`],
    ['bins', `${cell(xe.length - 1)} × ${cell(ye.length - 1)} over ${range(xe)} × ${range(ye)}`],
    ['counted', cell(total)],
    ['fullest cell', cell(fullest)],
  ]);
}

function spectrumFacts(s: Fields, unit: string): string {
  const f = s.frequencies as ArrayLike<number>;
  const [name, values] = isNumbers(s.psd)
    ? ['PSD', s.psd]
    : ['magnitude (dB)', s.magnitudeDb as ArrayLike<number>];
  const facts: [string, string][] = [
    ['frequencies', `${cell(f.length)}, ${cell(f[0])} to ${cell(f[f.length - 1])}${unit}`],
  ];
  for (const key of ['segments', 'nperseg', 'nfft', 'window', 'scaling', 'average']) {
    if (s[key] !== undefined) facts.push([key, cell(s[key])]);
  }
  if (values.length === f.length && values.length > 1) {
    let k = 1;
    for (let i = 2; i < values.length; i++) if (values[i] > values[k]) k = i;
    facts.push([`largest ${name}`, `${cell(values[k])} at ${cell(f[k])}${unit} (DC left out)`]);
  }
  return htmlFacts(facts);
}

/** A spectrogram's result: its size and axes (the table itself is in its output file). */
function spectrogramFacts(s: Fields, unit: string): string {
  const f = s.frequencies as ArrayLike<number>;
  const times = s.times as Fields;
  const count = Number(times.count);
  const last = Number(times.first) + (count - 1) * Number(times.step);
  const [bins, slices] = s.shape as unknown[];
  const seconds = unit === ' Hz' ? ' s' : ' samples';
  return htmlFacts([
    ['shape', `${cell(bins)} frequencies × ${cell(slices)} times`],
    ['frequencies', `${cell(f[0])} to ${cell(f[f.length - 1])}${unit}`],
    ['times', `${cell(times.first)} to ${cell(last)}${seconds}, every ${cell(times.step)}${seconds}`],
    ['mode', `${cell(s.mode)}${s.db ? ', in dB' : ''}`],
  ]);
}

/** Long JSON is cut: a report shows results, the outputs keep them. */
const MAX_JSON_CHARS = 4000;

function jsonHtml(value: unknown): string {
  let text = JSON.stringify(value, resultJsonReplacer, 2) ?? String(value);
  if (text.length > MAX_JSON_CHARS)
    text = `${text.slice(0, MAX_JSON_CHARS)}\n… (${text.length - MAX_JSON_CHARS} more characters)`;
  return `<details class="json"><summary>result (JSON)</summary><pre>${escapeHtml(text)}</pre></details>`;
}
