/**
 * A picture of an accumulator's result: wraps a spectral sink (`welch`, `psd`,
 * `spectrum-average`: a line plot), `histogram` (a step plot) or `histogram2d` (a heatmap),
 * runs it as if it stood alone, and renders its result as SVG (or PNG through resvg when `out`
 * ends in .png). The inner sink's own `out`, if any, is written too.
 */
import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { findColumn } from '../core/schema.ts';
import type { SinkInstance, SinkStage } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import type { AtomicFile } from '../io/atomic-file.ts';
import { createAtomicFile } from '../io/atomic-file.ts';
import type { ResvgModule } from '../io/lazy.ts';
import { loadResvg } from '../io/lazy.ts';
import histogram from './histogram.ts';
import histogram2d from './histogram2d.ts';
import psd from './psd.ts';
import spectrumAverage from './spectrum-average.ts';
import welch from './welch.ts';
import { renderSvgHeatmap } from '../plot/heatmap.ts';
import { renderSvgHistogram } from '../plot/step-histogram.ts';
import { renderSvgPlot } from '../plot/line-plot.ts';

/** The sinks whose result this stage can draw. */
const PLOTTABLE: Readonly<Record<string, SinkStage>> = {
  welch,
  psd,
  'spectrum-average': spectrumAverage,
  histogram,
  histogram2d,
};
const PLOTTABLE_NAMES = ['welch', 'psd', 'spectrum-average', 'histogram', 'histogram2d'] as const;

const params = z
  .object({
    of: z
      .looseObject({ type: z.enum(PLOTTABLE_NAMES).describe('The sink to run and draw.') })
      .describe(
        'The sink whose result is drawn, with its params, as a spec writes it: { type: welch, nperseg: 4096 }, ' +
          "{ type: histogram, column: 'm/n (Da)', bins: 1000 }. " +
          'Its own `out`, if given, is written too.',
      ),
    out: z
      .string()
      .min(1)
      .refine((p) => /\.(svg|png)$/i.test(p), { message: 'out must end in .svg or .png' })
      .describe('The picture: .svg (opens in any browser) or .png (rendered from the same SVG).'),
    title: z.string().optional().describe('Title above the plot. Default: the sink and the input file.'),
    logFrequency: z.boolean().default(false).describe('Logarithmic frequency axis (the DC bin is left out).'),
    db: z
      .boolean()
      .default(false)
      .describe(
        'Power in dB (10·log10) on a linear axis; otherwise power on a logarithmic axis. spectrum-average is always in dB.',
      ),
    logCounts: z
      .boolean()
      .default(false)
      .describe(
        'histogram: counts on a logarithmic axis (empty bins on its floor); histogram2d: a logarithmic colour ' +
          'scale (empty cells left blank). Otherwise linear from 0.',
      ),
    width: z.int().min(200).max(8000).default(800).describe('Picture width in pixels.'),
    height: z.int().min(150).max(8000).default(500).describe('Picture height in pixels.'),
  })
  .strict()
  .superRefine((p, ctx) => {
    // The inner spec is checked by its own stage's params, so its errors name `of.<key>`.
    const { type, ...rest } = p.of;
    const parsed = PLOTTABLE[type].params.safeParse(rest);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ ...issue, path: ['of', ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
    }
  })
  .describe(
    'Draws what a welch, psd, spectrum-average, histogram or histogram2d sink computes, as SVG (PNG when out ends ' +
      'in .png): a spectrum as a line plot with frequency and power axes labelled in the units of the schema (Hz ' +
      'from sampleRate, the column unit), optional log-frequency axis and dB scale; a histogram as a step plot of ' +
      'counts over the bin edges (optional log counts: a mass spectrum); a histogram2d as a viridis heatmap with a ' +
      'colour bar (optional log colour: a detector hit map). Returns the inner sink’s result.',
  );

export type PlotParams = z.output<typeof params>;

export default defineStage({
  name: 'plot',
  kind: 'sink',
  params,
  history: (p, schema) => {
    const inner = innerSink(p);
    return inner.stage.history?.(inner.params, schema) ?? 0;
  },
  outputs: (p) => {
    const inner = innerSink(p);
    return [p.out, ...inner.stage.outputs(inner.params)];
  },
  check: (p, schema) => {
    const inner = innerSink(p);
    inner.stage.check?.(inner.params, schema);
  },
  prepare: (p, schema) => {
    const inner = innerSink(p);
    return inner.stage.prepare?.(inner.params, schema);
  },
  create: async (p, ctx) => {
    const inner = innerSink(p);
    // Loaded now, so a PNG the run cannot render fails it before any data is read.
    const resvg = isPng(p.out) ? await loadResvg() : undefined;
    const file = await createAtomicFile(p.out, { overwrite: ctx.overwrite });
    try {
      const sink = await inner.stage.create(inner.params, ctx);
      const labels =
        inner.stage === histogram || inner.stage === histogram2d
          ? histogramLabels(inner.stage.name, inner.params, ctx.schema, p)
          : plotLabels(inner.stage.name, inner.params, ctx.schema, p);
      return new PlotSink(sink, file, (result) => renderPlot(result, labels, p, resvg));
    } catch (error) {
      await file.abort();
      throw error;
    }
  },
});

/** The inner stage and its params with defaults filled in. */
export function innerSink(p: PlotParams): { stage: SinkStage; params: Record<string, unknown> } {
  const { type, ...rest } = p.of;
  const stage = PLOTTABLE[type];
  return { stage, params: stage.params.parse(rest) as Record<string, unknown> };
}

/** What a plottable sink's result holds: frequencies and either a PSD or dB magnitudes. */
interface SpectrumLike {
  readonly frequencies: ArrayLike<number>;
  readonly psd?: ArrayLike<number>;
  readonly magnitudeDb?: ArrayLike<number>;
}

export interface PlotLabels {
  readonly title: string;
  readonly xLabel: string;
  /** Label of power on a log axis, and of power in dB. */
  readonly yLabel: string;
  readonly yLabelDb: string;
  /** The heatmap's colour bar. */
  readonly colorLabel?: string;
}

/** A histogram's labels: the column names (with the schema's unit unless the name has it). */
export function histogramLabels(
  stage: string,
  innerParams: Record<string, unknown>,
  schema: Schema,
  p: Pick<PlotParams, 'title'>,
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

/** What a histogram sink's result holds. */
interface HistogramLike {
  readonly edges: ArrayLike<number>;
  readonly counts: ArrayLike<number>;
}

/** What a histogram2d sink's result holds. */
interface Histogram2dLike {
  readonly xedges: ArrayLike<number>;
  readonly yedges: ArrayLike<number>;
  readonly counts: readonly ArrayLike<number>[];
}

/** The SVG of a result, by its shape: a heatmap, a step plot or a spectrum's line plot. */
export function renderSvg(result: unknown, labels: PlotLabels, p: PlotParams): string {
  const size = { width: p.width, height: p.height, title: labels.title, xLabel: labels.xLabel };
  if (result && typeof result === 'object' && 'xedges' in result) {
    const h = result as Histogram2dLike;
    return renderSvgHeatmap(h.xedges, h.yedges, h.counts, {
      ...size,
      yLabel: labels.yLabel,
      logColor: p.logCounts,
      colorLabel: labels.colorLabel,
    });
  }
  if (result && typeof result === 'object' && 'edges' in result) {
    const h = result as HistogramLike;
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

/** Axis labels from the schema: Hz when the source has a sampleRate, the column's unit. */
export function plotLabels(
  stage: string,
  innerParams: Record<string, unknown>,
  schema: Schema,
  p: Pick<PlotParams, 'title'>,
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

/** The picture of a result: SVG text, or PNG bytes when `out` ends in .png (needs `resvg`). */
export function renderPlot(
  result: unknown,
  labels: PlotLabels,
  p: PlotParams,
  resvg?: ResvgModule,
): string | Uint8Array {
  const svg = renderSvg(result, labels, p);
  if (!isPng(p.out)) return svg;
  if (!resvg) throw new SluiceError('STAGE_FAILED', 'plot: PNG output needs resvg, which was not loaded');
  return new resvg.Resvg(svg, { font: { loadSystemFonts: true }, background: '#ffffff' }).render().asPng();
}

/** Passes batches to the inner sink; on finish draws its result and commits the picture. */
class PlotSink implements SinkInstance {
  readonly outputs: readonly string[];

  constructor(
    private readonly inner: SinkInstance,
    private readonly file: AtomicFile,
    private readonly draw: (result: unknown) => string | Uint8Array,
  ) {
    this.outputs = [file.path, ...inner.outputs];
  }

  write(batch: Batch): void | Promise<void> {
    return this.inner.write(batch);
  }

  async finish(): Promise<unknown> {
    try {
      const result = await this.inner.finish();
      await this.file.write(this.draw(result));
      await this.file.commit();
      return result;
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async abort(): Promise<void> {
    await Promise.allSettled([this.inner.abort(), this.file.abort()]);
  }
}

function isPng(out: string): boolean {
  return /\.png$/i.test(out);
}
