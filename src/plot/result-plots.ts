/**
 * The picture of a sink's result, chosen by the result's shape: a histogram2d as a heatmap (at
 * equal aspect when x and y share a unit: a detector map), a histogram as a step plot, a
 * spectrum (welch, psd, spectrum-average) as a line plot whose frequency axis ends at its last
 * bin, a spectrogram as a time × frequency heatmap in dB read back from its .npy; its axis
 * labels from the input schema; SVG text, or PNG bytes rendered from it by resvg.
 */
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { findColumn } from '../core/schema.ts';
import type { PsdResult } from '../dsp/psd-accumulator.ts';
import type { ResvgModule } from '../io/lazy.ts';
import type { HistogramResult } from '../stats/histogram.ts';
import type { Histogram2dResult } from '../stats/histogram2d.ts';
import { renderSvgHeatmap } from './heatmap.ts';
import { renderSvgPlot } from './line-plot.ts';
import { renderSvgHistogram } from './step-histogram.ts';
import { isSpectrogramResult, readSpectrogramGrid } from './spectrogram-image.ts';
import { renderSvgSpectrogram } from './spectrogram-plot.ts';
import { plotFrame } from './axes.ts';
import { BAR_SPACE } from './color-scale.ts';

export interface PlotLabels {
  readonly title: string;
  readonly xLabel: string;
  /** Label of power on a log axis, and of power in dB. */
  readonly yLabel: string;
  readonly yLabelDb: string;
  /** The heatmap's colour bar. */
  readonly colorLabel?: string;
  /** A heatmap whose axes share a unit (detector x and y in mm): drawn at equal aspect. */
  readonly sameUnits?: boolean;
}

/** How a result is drawn: the plot sink's params of the same names. */
export interface ResultPlotOptions {
  readonly width: number;
  readonly height: number;
  /** Spectra: logarithmic frequency axis (the DC bin is left out). */
  readonly logFrequency: boolean;
  /** Spectra: power in dB on a linear axis, otherwise power on a log axis. */
  readonly db: boolean;
  /** Histograms: log count axis; histogram2d: log colour scale. */
  readonly logCounts: boolean;
  /**
   * histogram2d: `equal` draws one unit as long on x as on y, `fill` uses the whole area,
   * `auto` (the default) is `equal` when x and y have the same unit.
   */
  readonly aspect?: 'auto' | 'equal' | 'fill';
  /** spectrogram: dB below the loudest cell where the colour scale ends (default 100). */
  readonly dynamicRange?: number;
}

/**
 * What a spectral sink's result holds: frequencies and either a PSD (welch, psd) or magnitudes
 * already in dB (spectrum-average).
 */
interface SpectrumLike {
  readonly frequencies: PsdResult['frequencies'];
  readonly psd?: PsdResult['psd'];
  readonly magnitudeDb?: readonly number[];
}

/** A histogram's labels: the column names (with the schema's unit unless the name has it). */
export function histogramLabels(
  stage: string,
  innerParams: Record<string, unknown>,
  schema: Schema,
  p: { readonly title?: string },
): PlotLabels {
  const label = (name: unknown): string => {
    const column = typeof name === 'string' ? name : 'value';
    const unit = findColumn(schema, column)?.unit;
    return unit && !column.includes(`(${unit})`) ? `${column} (${unit})` : column;
  };
  const source = schema.source ? ` of ${schema.source}` : '';
  if (stage === 'histogram2d') {
    const x = label(innerParams.x);
    const y = label(innerParams.y);
    const unit = (name: unknown) => (typeof name === 'string' ? columnUnit(schema, name) : undefined);
    const xUnit = unit(innerParams.x);
    return {
      title: p.title ?? `${y} against ${x}${source}`,
      xLabel: x,
      yLabel: y,
      yLabelDb: y,
      colorLabel: 'counts',
      sameUnits: xUnit !== undefined && xUnit === unit(innerParams.y),
    };
  }
  const x = label(innerParams.column);
  return {
    title: p.title ?? `histogram of ${x}${source}`,
    xLabel: x,
    yLabel: 'counts per bin',
    yLabelDb: 'counts per bin',
  };
}

/** A column's unit: the schema's, or the one its name ends with in brackets ("det_x (mm)"). */
function columnUnit(schema: Schema, column: string): string | undefined {
  return findColumn(schema, column)?.unit ?? /\(([^()]+)\)\s*$/.exec(column)?.[1];
}

/**
 * Axis labels from the schema: Hz when the source has a sampleRate, the column's unit. A
 * spectrogram's x is time and its y frequency; its colour bar is power in dB.
 */
export function plotLabels(
  stage: string,
  innerParams: Record<string, unknown>,
  schema: Schema,
  p: { readonly title?: string },
): PlotLabels {
  const column = typeof innerParams.column === 'string' ? innerParams.column : 'value';
  const unit =
    findColumn(schema, stage === 'psd' ? 'spectrum' : column)?.unit ?? findColumn(schema, column)?.unit;
  const hasRate = schema.sampleRate !== undefined;
  const f = hasRate ? 'Hz' : 'cycles/sample';
  const u = unit ?? 'unit';
  const isSpectrum = innerParams.scaling === 'spectrum';
  const power = isSpectrum ? `${u}²` : `${u}²/${hasRate ? 'Hz' : '(cycles/sample)'}`;
  const what = stage === 'spectrum-average' ? 'magnitude' : isSpectrum ? 'power spectrum' : 'PSD';
  const source = schema.source ? ` of ${schema.source}` : '';
  if (stage === 'spectrogram') {
    const magnitude = innerParams.mode === 'magnitude';
    const color = magnitude ? `magnitude (dB re 1 ${u})` : `PSD (dB re 1 ${power})`;
    return {
      title: p.title ?? `spectrogram${source}`,
      xLabel: hasRate ? 'time (s)' : 'time (samples)',
      yLabel: `frequency (${f})`,
      yLabelDb: color,
      colorLabel: color,
    };
  }
  return {
    title: p.title ?? `${stage}${source}`,
    xLabel: `frequency (${f})`,
    yLabel: `${what} (${power})`,
    yLabelDb: stage === 'spectrum-average' ? `${what} (dB re 1 ${u})` : `${what} (dB re 1 ${power})`,
  };
}

/** The SVG of a result, by its shape: a heatmap, a step plot or a spectrum's line plot. */
export function renderResultSvg(result: unknown, labels: PlotLabels, p: ResultPlotOptions): string {
  const size = { width: p.width, height: p.height, title: labels.title, xLabel: labels.xLabel };
  if (result && typeof result === 'object' && 'xedges' in result) {
    const h = result as Pick<Histogram2dResult, 'xedges' | 'yedges' | 'counts'>;
    const aspect = p.aspect ?? 'auto';
    return renderSvgHeatmap(h.xedges, h.yedges, h.counts, {
      ...size,
      yLabel: labels.yLabel,
      logColor: p.logCounts,
      colorLabel: labels.colorLabel,
      equalAspect: aspect === 'equal' || (aspect === 'auto' && labels.sameUnits === true),
    });
  }
  if (result && typeof result === 'object' && 'edges' in result) {
    const h = result as Pick<HistogramResult, 'edges' | 'counts'>;
    return renderSvgHistogram(h.edges, h.counts, { ...size, yLabel: labels.yLabel, logY: p.logCounts });
  }
  const spectrum = result as SpectrumLike;
  if (!spectrum || !spectrum.frequencies || !(spectrum.psd || spectrum.magnitudeDb)) {
    throw new SluiceError('STAGE_FAILED', 'plot: the inner sink returned nothing to draw');
  }
  const alreadyDb = spectrum.magnitudeDb !== undefined;
  const values = spectrum.magnitudeDb ?? spectrum.psd ?? [];
  const y = alreadyDb || !p.db ? values : Array.from(values, (v) => 10 * Math.log10(v));
  return renderSvgPlot(spectrum.frequencies, y, {
    ...size,
    yLabel: alreadyDb || p.db ? labels.yLabelDb : labels.yLabel,
    logX: p.logFrequency,
    logY: !alreadyDb && !p.db,
    exactX: true,
  });
}

/**
 * The SVG of any result the plot sink draws: a spectrogram's is read back from its .npy
 * (bounded memory, one cell per pixel at most); the others as renderResultSvg draws them.
 */
export async function renderAnyResultSvg(
  result: unknown,
  labels: PlotLabels,
  p: ResultPlotOptions,
): Promise<string> {
  if (!isSpectrogramResult(result)) return renderResultSvg(result, labels, p);
  const frame = plotFrame(p.width, p.height, BAR_SPACE);
  const grid = await readSpectrogramGrid(result, Math.ceil(frame.width), Math.ceil(frame.height));
  return renderSvgSpectrogram(grid, {
    width: p.width,
    height: p.height,
    title: labels.title,
    xLabel: labels.xLabel,
    yLabel: labels.yLabel,
    colorLabel: labels.colorLabel ?? labels.yLabelDb,
    dynamicRange: p.dynamicRange,
  });
}

/** The picture of a result: SVG text, or PNG bytes when `png` (needs `resvg`). */
export async function renderResultPicture(
  result: unknown,
  labels: PlotLabels,
  p: ResultPlotOptions & { readonly png: boolean },
  resvg?: ResvgModule,
): Promise<string | Uint8Array> {
  const svg = await renderAnyResultSvg(result, labels, p);
  if (!p.png) return svg;
  if (!resvg) throw new SluiceError('STAGE_FAILED', 'plot: PNG output needs resvg, which was not loaded');
  return new resvg.Resvg(svg, { font: { loadSystemFonts: true }, background: '#ffffff' }).render().asPng();
}
