/**
 * A run's report as one self-contained HTML page: what ran (the spec as run, the input files
 * with their fingerprints), how it went (rows, time, throughput, peak memory), and what each
 * sink found (tables, plots inline). Pure: the caller reads the files (write-report.ts).
 */
import { Document, isScalar, visit } from 'yaml';
import { escapeHtml, htmlTable } from './html.ts';
import { formatBytes, formatCount, formatRate, formatSeconds } from './quantity.ts';
import type { InputFacts, ReportFile, ReportInput, ReportPipeline } from './report-types.ts';
import { REPORT_CSS } from './report-style.ts';
import { fileId, runSectionHtml, statusHtml } from './run-section.ts';
import type { SectionPictures } from './run-section.ts';

/** What the page needs besides the run: the files' facts, and what it draws with. */
export interface ReportExtras extends SectionPictures {
  readonly facts: ReadonlyMap<string, InputFacts>;
}

/** A file of the report with the pipeline it ran through. */
interface Entry {
  readonly file: ReportFile;
  readonly pipeline: ReportPipeline;
}

export function renderReportHtml(input: ReportInput, extras: ReportExtras): string {
  const entries = input.pipelines.flatMap((pipeline) => pipeline.files.map((file) => ({ file, pipeline })));
  const many = entries.length > 1;
  const several = input.pipelines.length > 1;
  const sections = entries.map(({ file, pipeline }, index) =>
    runSectionHtml(file, { index, many, ...(several ? { pipeline: pipeline.name } : {}) }, extras),
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing on this page may load anything: no fetch, no script, no outside image or font.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<meta name="generator" content="sluice ${escapeHtml(input.version)}">`,
    `<title>${escapeHtml(`${input.title} — sluice run report`)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    headerHtml(input, many),
    summaryHtml(input, entries),
    inputsHtml(entries, extras.facts, several),
    ...sections,
    ...input.pipelines.map((pipeline, i) => specHtml(pipeline, several ? i : undefined)),
    messagesHtml(input.messages),
    footerHtml(input),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function headerHtml(input: ReportInput, many: boolean): string {
  const specs = input.pipelines.flatMap((p) => (p.specPath ? [p.specPath] : []));
  const meta = [
    ...(specs.length
      ? [`spec ${specs.map((s) => `<span class="mono">${escapeHtml(s)}</span>`).join(', ')}`]
      : []),
    escapeHtml(formatDate(input.createdAt)),
    `sluice ${escapeHtml(input.version)}`,
  ];
  const links = [
    '<a href="#inputs">Input files</a>',
    ...(many ? [] : [`<a href="#${fileId(0)}">Run</a>`]),
    `<a href="#${specId(input.pipelines.length > 1 ? 0 : undefined)}">Spec as run</a>`,
    '<a href="#messages">Warnings and notes</a>',
  ];
  return [
    '<header>',
    '<p class="kicker">sluice run report</p>',
    `<h1>${escapeHtml(input.title)}</h1>`,
    ...input.pipelines.flatMap((p) => {
      const description = (p.spec as { description?: unknown } | null | undefined)?.description;
      return typeof description === 'string' ? [`<p class="description">${escapeHtml(description)}</p>`] : [];
    }),
    `<p class="meta">${meta.map((m) => `<span>${m}</span>`).join('')}</p>`,
    `<nav class="toc">${links.join('')}</nav>`,
    '</header>',
  ].join('\n');
}

/** `2026-12-05 00:41:07 UTC`. */
function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function summaryHtml(input: ReportInput, entries: readonly Entry[]): string {
  const runs = entries.flatMap(({ file }) => (file.run ? [file.run] : []));
  const rows = runs.reduce((total, r) => total + r.rowsRead, 0);
  const bytes = runs.reduce((total, r) => total + r.bytesRead, 0);
  const rowsOverPasses = runs.reduce((total, r) => total + r.rowsRead * r.passes, 0);
  // One file: its own time (as the CLI's summary says); several: the whole run's.
  const seconds = Math.max(entries.length === 1 && runs.length === 1 ? runs[0].seconds : input.seconds, 1e-9);
  const figure = (label: string, value: string, sub = '') =>
    `<div class="figure"><div class="label">${label}</div><div class="value">${value}</div>${sub ? `<div class="sub">${sub}</div>` : ''}</div>`;
  const figures = [
    figure('rows read', formatCount(rows), formatBytes(bytes)),
    figure('time', formatSeconds(seconds)),
    figure('throughput', formatRate(bytes / seconds, 'B'), formatRate(rowsOverPasses / seconds, ' rows')),
    figure('peak RSS', formatBytes(input.peakRssBytes)),
  ];
  if (entries.length > 1) {
    const count = (status: ReportFile['status']) => entries.filter((e) => e.file.status === status).length;
    const sub = [`${count('ok')} ok`, `${count('skipped')} skipped`, `${count('failed')} failed`].join(', ');
    figures.push(figure('files', formatCount(entries.length), sub));
  }
  return `<section class="figures" aria-label="summary">${figures.join('')}</section>`;
}

function inputsHtml(
  entries: readonly Entry[],
  facts: ReadonlyMap<string, InputFacts>,
  several: boolean,
): string {
  const rows = entries.map(({ file, pipeline }, i) => {
    const f = facts.get(file.input);
    const run = file.run;
    const fingerprint = f
      ? `<span class="mono nowrap" title="${f.sha256}">${f.sha256.slice(0, 12)}…${f.whole ? '' : '<sup>*</sup>'}</span>`
      : '—';
    return [
      `<a href="#${fileId(i)}">${i + 1}</a>`,
      ...(several ? [`<span class="nowrap">${escapeHtml(pipeline.name)}</span>`] : []),
      `<a class="mono" href="#${fileId(i)}">${escapeHtml(file.input)}</a>`,
      statusHtml(file.status),
      f ? formatBytes(f.size) : '—',
      f
        ? `<span class="nowrap" title="${f.modified.toISOString()}">${formatDate(f.modified).slice(0, 16)}</span>`
        : '—',
      fingerprint,
      run ? formatCount(run.rowsRead) : '—',
      run ? formatSeconds(run.seconds) : '—',
    ];
  });
  const head = ['#', ...(several ? ['pipeline'] : []), 'file', 'status', 'size', 'modified (UTC)', 'SHA-256'];
  head.push('rows', 'time');
  const sizeColumn = head.indexOf('size');
  const numeric = (c: number) => c === 0 || c === sizeColumn || c >= head.length - 2;
  const partial = [...facts.values()].some((f) => !f.whole);
  const note = partial
    ? '<p class="none"><sup>*</sup> SHA-256 of the file’s size (8 bytes, little-endian), its first MiB and its last MiB, so a file of any size is fingerprinted in two reads; files of up to 2 MiB are hashed whole, as <code>sha256sum</code> does.</p>'
    : '<p class="none">SHA-256 of each whole file, as <code>sha256sum</code> prints it (a file over 2 MiB would be fingerprinted by its size, first MiB and last MiB).</p>';
  const title = entries.length > 1 ? `Input files (${formatCount(entries.length)})` : 'Input file';
  return `<section id="inputs"><h2>${title}</h2>\n${htmlTable(head, rows, numeric)}\n${note}</section>`;
}

const specId = (index: number | undefined) => (index === undefined ? 'spec' : `spec-${index + 1}`);

function specHtml(pipeline: ReportPipeline, index: number | undefined): string {
  const text =
    pipeline.spec === undefined ? '(the pipeline was given as an object)' : specYaml(pipeline.spec);
  const where = pipeline.specPath
    ? `<p class="none">From <span class="mono">${escapeHtml(pipeline.specPath)}</span>, after <code>\${VAR}</code> interpolation and <code>--set</code>.</p>`
    : '';
  const title = index === undefined ? 'Spec as run' : `Spec as run: ${escapeHtml(pipeline.name)}`;
  return `<section id="${specId(index)}"><h2>${title}</h2>\n${where}<pre class="spec">${escapeHtml(text)}</pre></section>`;
}

/** The spec as YAML, lists of plain values on one line (`q: [0.05, 0.95]`), as specs write them. */
function specYaml(spec: unknown): string {
  const doc = new Document(spec);
  visit(doc, {
    Seq(_key, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function messagesHtml(messages: readonly string[]): string {
  const body = messages.length
    ? `<ul class="messages">${messages.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>`
    : '<p class="none">None.</p>';
  return `<section id="messages"><h2>Warnings and notes</h2>\n${body}</section>`;
}

function footerHtml(input: ReportInput): string {
  return `<footer>Written by sluice ${escapeHtml(input.version)} on ${escapeHtml(formatDate(input.createdAt))}. The page is self-contained: it loads nothing from anywhere.</footer>`;
}
