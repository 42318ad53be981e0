/**
 * The picture of a sink's result, chosen by the result's shape: a histogram2d as a heatmap, a
 * histogram as a step plot, a spectrum (welch, psd, spectrum-average) as a line plot; its axis
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

export interface PlotLabels {
  readonly title: string;
  readonly xLabel: string;
  /** Label of power on a log axis, and of power in dB. */
  readonly yLabel: string;
  readonly yLabelDb: string;
  /** The heatmap's colour bar. */
  readonly colorLabel?: string;
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
    return {
      title: p.title ?? `${y} against ${x}${source}`,
      xLabel: x,
      yLabel: y,
      yLabelDb: y,
      colorLabel: 'counts',
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

/** Axis labels from the schema: Hz when the source has a sampleRate, the column's unit. */
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
    return renderSvgHeatmap(h.xedges, h.yedges, h.counts, {
      ...size,
      yLabel: labels.yLabel,
      logColor: p.logCounts,
      colorLabel: labels.colorLabel,
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
  });
}

/** The picture of a result: SVG text, or PNG bytes when `png` (needs `resvg`). */
export function renderResultPicture(
  result: unknown,
  labels: PlotLabels,
  p: ResultPlotOptions & { readonly png: boolean },
  resvg?: ResvgModule,
): string | Uint8Array {
  const svg = renderResultSvg(result, labels, p);
  if (!p.png) return svg;
  if (!resvg) throw new SluiceError('STAGE_FAILED', 'plot: PNG output needs resvg, which was not loaded');
  return new resvg.Resvg(svg, { font: { loadSystemFonts: true }, background: '#ffffff' }).render().asPng();
}
