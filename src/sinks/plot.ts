/**
 * A picture of a sink's result: wraps a spectral sink (`welch`, `psd`, `spectrum-average`: a
 * line plot), `histogram` (a step plot), `histogram2d` (a heatmap) or `spectrogram` (a time ×
 * frequency heatmap, read back from its .npy), runs it as if it stood alone, and renders its
 * result as SVG (or PNG through resvg when `out` ends in .png). The inner sink's own `out`,
 * if any, is written too.
 *
 * A stage imports no other stage, so the sinks it wraps are handed in by the sink list
 * (index.ts), which builds this stage with `definePlot`.
 */
import { z } from 'zod';
import { SluiceError } from '../core/errors.ts';
import type { SinkStage } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import { createAtomicFile } from '../io/atomic-file.ts';
import { loadResvg } from '../io/lazy.ts';
import { PictureSink } from '../plot/picture-sink.ts';
import { histogramLabels, plotLabels, renderResultPicture } from '../plot/result-plots.ts';

const PLOTTABLE_NAMES = [
  'welch',
  'psd',
  'spectrum-average',
  'histogram',
  'histogram2d',
  'spectrogram',
] as const;

/** The sinks whose result plot can draw, by name. */
export type PlottableSinks = Readonly<Record<(typeof PLOTTABLE_NAMES)[number], SinkStage>>;

/** The params, with `of` checked by the params of the inner sink it names. */
function plotParams(plottable: PlottableSinks) {
  return z
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
      logFrequency: z
        .boolean()
        .default(false)
        .describe('Logarithmic frequency axis (the DC bin is left out).'),
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
      aspect: z
        .enum(['auto', 'equal', 'fill'])
        .default('auto')
        .describe(
          'histogram2d: equal draws 1 unit as long on x as on y (a detector map is round), fill uses the whole ' +
            'area; auto is equal when x and y have the same unit.',
        ),
      dynamicRange: z
        .number()
        .positive()
        .default(100)
        .describe('spectrogram: the colour scale spans this many dB below the loudest cell.'),
      width: z.int().min(200).max(8000).default(800).describe('Picture width in pixels.'),
      height: z.int().min(150).max(8000).default(500).describe('Picture height in pixels.'),
    })
    .strict()
    .superRefine((p, ctx) => {
      // The inner spec is checked by its own stage's params, so its errors name `of.<key>`.
      const { type, ...rest } = p.of;
      const parsed = plottable[type].params.safeParse(rest);
      if (parsed.success) return;
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ ...issue, path: ['of', ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
      }
    })
    .describe(
      'Draws what a welch, psd, spectrum-average, histogram, histogram2d or spectrogram sink computes, as SVG (PNG ' +
        'when out ends in .png): a spectrum as a line plot with frequency and power axes labelled in the units of the ' +
        'schema (Hz from sampleRate, the column unit), its frequency axis ending at the last bin (Nyquist), optional ' +
        'log-frequency axis and dB scale; a histogram as a step plot of counts over the bin edges (optional log ' +
        'counts: a mass spectrum); a histogram2d as a viridis heatmap with a colour bar (optional log colour: a ' +
        'detector hit map, at equal aspect when x and y share a unit); a spectrogram (out .npy, mode psd or ' +
        'magnitude) as a time × frequency heatmap in dB. Returns the inner sink’s result.',
    );
}

export type PlotParams = z.output<ReturnType<typeof plotParams>>;

/** The plot stage over the sinks it draws. */
export function definePlot(plottable: PlottableSinks) {
  /** The inner stage and its params with defaults filled in. */
  const innerSink = (p: PlotParams): { stage: SinkStage; params: Record<string, unknown> } => {
    const { type, ...rest } = p.of;
    const stage = plottable[type];
    return { stage, params: stage.params.parse(rest) as Record<string, unknown> };
  };
  return defineStage({
    name: 'plot',
    kind: 'sink',
    params: plotParams(plottable),
    history: (p, schema) => {
      const inner = innerSink(p);
      return inner.stage.history?.(inner.params, schema) ?? 0;
    },
    outputs: (p) => {
      const inner = innerSink(p);
      return [p.out, ...inner.stage.outputs(inner.params)];
    },
    extensions: ['.svg', '.png'],
    wraps: innerSink,
    check: (p, schema) => {
      const inner = innerSink(p);
      inner.stage.check?.(inner.params, schema);
      if (inner.stage.name === 'spectrogram') checkDrawableSpectrogram(inner.params);
    },
    prepare: (p, schema) => {
      const inner = innerSink(p);
      return inner.stage.prepare?.(inner.params, schema);
    },
    create: async (p, ctx) => {
      const inner = innerSink(p);
      const png = /\.png$/i.test(p.out);
      // Loaded now, so a PNG the run cannot render fails it before any data is read.
      const resvg = png ? await loadResvg() : undefined;
      const file = await createAtomicFile(p.out, { overwrite: ctx.overwrite });
      try {
        const sink = await inner.stage.create(inner.params, ctx);
        const labels =
          inner.stage.name === 'histogram' || inner.stage.name === 'histogram2d'
            ? histogramLabels(inner.stage.name, inner.params, ctx.schema, p)
            : plotLabels(inner.stage.name, inner.params, ctx.schema, p);
        return new PictureSink(sink, file, (result) =>
          renderResultPicture(result, labels, { ...p, png }, resvg),
        );
      } catch (error) {
        await file.abort();
        throw error;
      }
    },
  });
}

/** A spectrogram is drawn from its .npy, so it must write one, and of real values. */
function checkDrawableSpectrogram(params: Record<string, unknown>): void {
  const out = String(params.out);
  if (!/\.npy$/i.test(out) || params.mode === 'complex') {
    throw new SluiceError(
      'PARAMS_INVALID',
      `plot: cannot draw a spectrogram written to ${out} with mode ${String(params.mode)}`,
      {
        hint: 'give the spectrogram an out ending in .npy and mode psd or magnitude',
      },
    );
  }
}
