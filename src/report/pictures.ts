/**
 * The report's plots: pictures the run's sinks wrote (.svg inlined, .png as a data: URI), and
 * for an accumulator that drew nothing (histogram, histogram2d, welch, psd, spectrum-average
 * without a `plot`), its result drawn here by the plot library. Nothing refers outside the
 * page: an SVG that could (an external href, a script) is shown as an image, where a browser
 * neither runs nor fetches anything.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Schema } from '../core/schema.ts';
import { histogramLabels, plotLabels, renderAnyResultSvg, renderResultSvg } from '../plot/result-plots.ts';
import { isSpectrogramResult } from '../plot/spectrogram-image.ts';
import { escapeHtml } from './html.ts';
import type { Picture, ReportFile, ReportSink } from './report-types.ts';

/** Pictures bigger than this are linked, not embedded: the report should open quickly. */
export const MAX_EMBEDDED_BYTES = 24 * 1024 * 1024;

/** The size plots drawn for the report have (CSS scales them to the column). */
const PLOT_SIZE = { width: 760, height: 430 };

const PICTURE_EXTENSION = /\.(svg|png)$/i;

/** The .svg and .png outputs of every sink of every file, read back, by path. */
export async function readPictures(files: readonly ReportFile[]): Promise<Map<string, Picture>> {
  const pictures = new Map<string, Picture>();
  const paths = files.flatMap((f) => f.run?.sinks.flatMap((s) => s.outputs) ?? []);
  for (const path of paths.filter((p) => PICTURE_EXTENSION.test(p))) {
    const picture = await readPicture(path);
    if (picture) pictures.set(path, picture);
  }
  return pictures;
}

async function readPicture(path: string): Promise<Picture | undefined> {
  try {
    if ((await stat(path)).size > MAX_EMBEDDED_BYTES) return undefined;
    if (/\.svg$/i.test(path)) return { kind: 'svg', path, text: await readFile(path, 'utf8') };
    return { kind: 'png', path, bytes: await readFile(path) };
  } catch {
    return undefined;
  }
}

/**
 * An SVG that could run a script or fetch something: never inlined. A reference inside the
 * SVG (`#id`) or to a data: image (a spectrogram's raster) is fine.
 */
const UNSAFE_SVG =
  /<script|<foreignObject|<iframe|\son[a-z]+\s*=|javascript:|(?:href|src)\s*=\s*["']?(?!#|data:image\/|["'])|url\(\s*["']?(?!#)/i;

/**
 * SVG text ready to sit in an HTML page: no XML prolog, no namespace attributes (HTML puts
 * `<svg>` in its namespace), and its ids prefixed so two plots' gradients do not collide.
 */
export function inlineSvg(text: string, idPrefix: string): string {
  return text
    .replace(/^\s*<\?xml[^>]*\?>\s*/, '')
    .replace(/<!DOCTYPE[^>]*>\s*/i, '')
    .replace(/\sxmlns(?::\w+)?="[^"]*"/g, '')
    .replace(/xlink:href=/g, 'href=')
    .replace(/\sid="([^"]+)"/g, ` id="${idPrefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${idPrefix}$1"`)
    .replace(/^\s*<svg\b/, '<svg role="img" class="plot"');
}

/**
 * An SVG longer than this (a heatmap of many cells) is embedded as a PNG rendered from it
 * when `rasterize` is given: a page of tens of MB of SVG opens slowly.
 */
export const MAX_INLINE_SVG_CHARS = 4 * 1024 * 1024;

/** Renders SVG text to PNG bytes (resvg). */
export type Rasterize = (svg: string) => Uint8Array;

/** A figure holding a picture: inline SVG, or an image from a data: URI. */
export function figureHtml(
  picture: Picture,
  idPrefix: string,
  caption: string,
  rasterize?: Rasterize,
): string {
  const label = escapeHtml(caption);
  if (picture.kind === 'svg' && picture.text.length > MAX_INLINE_SVG_CHARS && rasterize) {
    const png = rasterizeOrUndefined(picture.text, rasterize);
    if (png) return figureHtml({ kind: 'png', path: picture.path, bytes: png }, idPrefix, caption);
  }
  let body: string;
  if (picture.kind === 'svg' && !UNSAFE_SVG.test(picture.text)) {
    body = inlineSvg(picture.text, idPrefix).replace(/^<svg\b/, `<svg aria-label="${label}"`);
  } else {
    const [mime, bytes] =
      picture.kind === 'svg'
        ? ['image/svg+xml', Buffer.from(picture.text, 'utf8')]
        : ['image/png', Buffer.from(picture.bytes)];
    body = `<img class="plot" alt="${label}" src="data:${mime};base64,${bytes.toString('base64')}">`;
  }
  return `<figure class="plot-figure">${body}<figcaption>${label}</figcaption></figure>`;
}

function rasterizeOrUndefined(svg: string, rasterize: Rasterize): Uint8Array | undefined {
  try {
    return rasterize(svg);
  } catch {
    return undefined;
  }
}

/**
 * The spectrograms among the sinks that wrote no picture, drawn from the table each wrote (read
 * back, so this is async, unlike resultPicture), by sink.
 */
export async function drawSpectrograms(files: readonly ReportFile[]): Promise<Map<ReportSink, Picture>> {
  const drawn = new Map<ReportSink, Picture>();
  for (const run of files.flatMap((f) => (f.run ? [f.run] : []))) {
    for (const sink of run.sinks) {
      if (!isSpectrogramResult(sink.result) || sink.outputs.some((o) => PICTURE_EXTENSION.test(o))) continue;
      const { type, params } = innerSink(sink);
      const labels = plotLabels(type, params, run.schema ?? { columns: [] }, {});
      try {
        const text = await renderAnyResultSvg(sink.result, labels, { ...PLOT_SIZE, ...PLOT_STYLE });
        drawn.set(sink, { kind: 'svg', path: sink.pointer, text });
      } catch {
        // Its table cannot be read back (moved, or not .npy): the facts still show it.
      }
    }
  }
  return drawn;
}

/** The sink whose result it is: a plot sink's inner sink (its `of`), or the sink itself. */
function innerSink(sink: ReportSink): { type: string; params: Record<string, unknown> } {
  const of = sink.params?.of;
  const inner = of !== null && typeof of === 'object' ? (of as Record<string, unknown>) : undefined;
  const type = typeof inner?.type === 'string' ? inner.type : sink.type;
  return { type, params: { ...(inner ?? sink.params ?? {}) } };
}

/** How the report draws results: spectra in dB on a linear frequency axis, linear counts. */
const PLOT_STYLE = { logFrequency: false, db: true, logCounts: false } as const;

/** A 2-D histogram with more cells is not drawn for the report (its plot sink can draw it). */
export const MAX_DRAWN_CELLS = 250_000;

/**
 * A sink's result drawn as the plot sink would draw it (spectra in dB), labelled from the
 * schema the sink saw; undefined for a result that is not a histogram or a spectrum.
 */
export function resultPicture(sink: ReportSink, schema: Schema | undefined): Picture | undefined {
  if (!isPlottable(sink.result) || cellCount(sink.result) > MAX_DRAWN_CELLS) return undefined;
  // A plot sink's result is its inner sink's, labelled by the inner sink's params.
  const { type, params } = innerSink(sink);
  const seen: Schema = schema ?? { columns: [] };
  const isHistogram = 'edges' in sink.result || 'xedges' in sink.result;
  const stage = 'xedges' in sink.result ? 'histogram2d' : isHistogram ? 'histogram' : type;
  const labels = isHistogram ? histogramLabels(stage, params, seen, {}) : plotLabels(stage, params, seen, {});
  try {
    const text = renderResultSvg(sink.result, labels, { ...PLOT_SIZE, ...PLOT_STYLE });
    return { kind: 'svg', path: sink.pointer, text };
  } catch {
    // A result the plot library cannot draw (an empty spectrum): the tables still show it.
    return undefined;
  }
}

type PlottableResult = Record<string, unknown> &
  ({ edges: unknown; counts: unknown } | { xedges: unknown } | { frequencies: unknown });

function isPlottable(result: unknown): result is PlottableResult {
  if (result === null || typeof result !== 'object') return false;
  const r = result as Record<string, unknown>;
  if ('xedges' in r && 'yedges' in r && 'counts' in r) return true;
  if ('edges' in r && 'counts' in r) return true;
  return 'frequencies' in r && ('psd' in r || 'magnitudeDb' in r);
}

/** The cells of a 2-D histogram (0 for anything else). */
function cellCount(result: PlottableResult): number {
  if (!('xedges' in result) || !Array.isArray(result.counts)) return 0;
  const rows = result.counts as ArrayLike<number>[];
  return rows.length * (rows[0]?.length ?? 0);
}
