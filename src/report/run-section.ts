/** One input file's part of a report: how its run went, then each sink with its result and plots. */
import { escapeHtml, htmlFacts } from './html.ts';
import { figureHtml, resultPicture } from './pictures.ts';
import type { Rasterize } from './pictures.ts';
import { formatBytes, formatCount, formatRate, formatSeconds } from './quantity.ts';
import type { Picture, ReportFile, ReportRun, ReportSink } from './report-types.ts';
import { resultHtml } from './result-tables.ts';

/** The id of file i's section (0-based), which the input table links to. */
export const fileId = (index: number) => `file-${index + 1}`;

/** The badge of a file's status. */
export function statusHtml(status: ReportFile['status']): string {
  const text = { ok: 'ok', skipped: 'skipped', failed: 'failed', planned: 'would run' }[status];
  return `<span class="status status-${status}">${text}</span>`;
}

/** What sections draw with: the sinks' pictures, results drawn ahead, and a rasterizer. */
export interface SectionPictures {
  /** The .svg and .png outputs read back, by path. */
  readonly pictures: ReadonlyMap<string, Picture>;
  /** Results drawn ahead (spectrograms, read back from their tables), by sink. */
  readonly drawn?: ReadonlyMap<ReportSink, Picture>;
  /** Renders a very large SVG to PNG; without it every SVG is inlined. */
  readonly rasterize?: Rasterize;
}

/** How a file's section is headed. */
export interface SectionPlace {
  /** 0-based, over the whole report. */
  readonly index: number;
  /** Several files in the report: number the sections, link back to the table of files. */
  readonly many: boolean;
  /** Several pipelines in the report: the one this file ran through. */
  readonly pipeline?: string;
}

/** A file's section: its run's facts, then each sink. */
export function runSectionHtml(file: ReportFile, place: SectionPlace, drawing: SectionPictures): string {
  const id = fileId(place.index);
  const back = place.many ? '<a class="top" href="#inputs">↑ files</a>' : '';
  const number = place.many ? `${place.index + 1}. ` : 'Run: ';
  const pipeline = place.pipeline ? `${escapeHtml(place.pipeline)} · ` : '';
  const head = `<h2>${back}${number}${pipeline}<span class="mono">${escapeHtml(file.input)}</span> ${statusHtml(file.status)}</h2>`;
  const parts = [`<section class="run" id="${id}">`, head];
  if (file.error) parts.push(errorHtml(file.error));
  if (file.status === 'skipped') {
    parts.push(
      `<p class="none">Skipped: its outputs exist (${outputsText(file.outputs)}); --overwrite replaces them.</p>`,
    );
  }
  if (file.status === 'planned') {
    parts.push(`<p class="none">Dry run: would write ${outputsText(file.outputs)}.</p>`);
  }
  const { run } = file;
  if (run) {
    parts.push(runFactsHtml(run));
    run.sinks.forEach((sink, i) => parts.push(sinkHtml(sink, `${id}-sink-${i}`, run, drawing)));
  }
  parts.push('</section>');
  return parts.join('\n');
}

function outputsText(outputs: readonly string[]): string {
  return outputs.length
    ? outputs.map((o) => `<span class="mono">${escapeHtml(o)}</span>`).join(', ')
    : 'no files';
}

function errorHtml(error: NonNullable<ReportFile['error']>): string {
  const hint = error.hint ? `<br><span class="none">hint: ${escapeHtml(error.hint)}</span>` : '';
  return `<div class="error"><code>${escapeHtml(error.code)}</code> ${escapeHtml(error.message)}${hint}</div>`;
}

function runFactsHtml(run: ReportRun): string {
  const seconds = Math.max(run.seconds, 1e-9);
  const facts: [string, string][] = [
    [
      'source',
      `${escapeHtml(run.source.format)} <span class="none">(io ${escapeHtml(run.source.backend)})</span>`,
    ],
    ['rows read', formatCount(run.rowsRead)],
    ['bytes read', `${formatBytes(run.bytesRead)}${run.passes > 1 ? ` over ${run.passes} passes` : ''}`],
    ['time', formatSeconds(run.seconds)],
    [
      'throughput',
      `${formatRate(run.bytesRead / seconds, 'B')}, ${formatRate((run.rowsRead * run.passes) / seconds, ' rows')}`,
    ],
  ];
  if (run.threads !== undefined && run.threads > 1) facts.push(['threads', String(run.threads)]);
  if (run.schema?.sampleRate !== undefined) {
    facts.push(['sample rate', `${formatCount(run.schema.sampleRate)} Hz`]);
  }
  if (run.schema) {
    const columns = run.schema.columns.map(
      (c) =>
        `${escapeHtml(c.name)} <span class="none">${escapeHtml(c.dtype)}${c.width > 1 ? `×${c.width}` : ''}</span>`,
    );
    facts.push(['columns the sinks saw', columns.join(', ') || '<span class="none">none</span>']);
  }
  return htmlFacts(facts);
}

function sinkHtml(sink: ReportSink, id: string, run: ReportRun, drawing: SectionPictures): string {
  const title = sink.name
    ? `${escapeHtml(sink.name)} <span class="none">(${escapeHtml(stageTitle(sink))})</span>`
    : escapeHtml(stageTitle(sink));
  const parts = [
    `<article class="sink" id="${id}">`,
    `<h3>${title}<span class="pointer">${escapeHtml(sink.pointer)}</span></h3>`,
    `<p class="sink-meta">${formatCount(sink.rows)} rows received</p>`,
  ];
  if (sink.outputs.length) {
    parts.push(`<ul class="outputs">${sink.outputs.map((o) => `<li>${escapeHtml(o)}</li>`).join('')}</ul>`);
  }
  // The pictures the sink wrote, or else its result drawn here.
  const written = sink.outputs.flatMap((out) => {
    const picture = drawing.pictures.get(out);
    return picture ? [{ picture, caption: out }] : [];
  });
  const drawn = written.length ? undefined : (drawing.drawn?.get(sink) ?? resultPicture(sink, run.schema));
  const shown = drawn ? [{ picture: drawn, caption: `${sink.type} result, drawn for this report` }] : written;
  const figures = shown.map(({ picture, caption }, i) =>
    figureHtml(picture, `${id}-plot-${i}-`, caption, drawing.rasterize),
  );
  const result = resultHtml(sink.result, run.schema?.sampleRate !== undefined);
  // Plots with their facts beside them (below them on a narrow page or on paper).
  if (figures.length) {
    parts.push(`<div class="with-plots"><div>${figures.join('\n')}</div><div>${result}</div></div>`);
  } else {
    parts.push(result);
  }
  parts.push('</article>');
  return parts.join('\n');
}

/** `histogram`, or for a plot sink what it draws: `plot of welch`. */
function stageTitle(sink: ReportSink): string {
  const of = sink.params?.of;
  const inner = of !== null && typeof of === 'object' ? (of as { type?: unknown }).type : undefined;
  return typeof inner === 'string' ? `${sink.type} of ${inner}` : sink.type;
}
