/**
 * A picture of a spectrum: wraps a spectral accumulator sink (`welch`, `psd`,
 * `spectrum-average`), runs it as if it stood alone, and renders its result as SVG (or PNG
 * through resvg when `out` ends in .png). The inner sink's own `out`, if any, is written too.
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
import psd from './psd.ts';
import spectrumAverage from './spectrum-average.ts';
import welch from './welch.ts';
import { renderSvgPlot } from './util/svg-plot.ts';

/** The sinks whose result is a spectrum this stage can draw. */
const PLOTTABLE: Readonly<Record<string, SinkStage>> = { welch, psd, 'spectrum-average': spectrumAverage };
const PLOTTABLE_NAMES = ['welch', 'psd', 'spectrum-average'] as const;

const params = z
  .object({
    of: z
      .looseObject({ type: z.enum(PLOTTABLE_NAMES).describe('The spectral sink to run and draw.') })
      .describe(
        'The sink whose result is drawn, with its params, as a spec writes it: { type: welch, nperseg: 4096 }. ' +
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
    'Draws the spectrum a welch, psd or spectrum-average sink computes: an SVG line plot (PNG when out ends in .png) ' +
      'with frequency and power axes labelled in the units of the schema (Hz from sampleRate, the column unit), ' +
      'optional log-frequency axis and dB scale. Returns the inner sink’s result.',
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
      const labels = plotLabels(inner.stage.name, inner.params, ctx.schema, p);
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
  const spectrum = result as SpectrumLike;
  if (!spectrum || !spectrum.frequencies || !(spectrum.psd || spectrum.magnitudeDb)) {
    throw new SluiceError('STAGE_FAILED', 'plot: the inner sink returned no spectrum');
  }
  const alreadyDb = spectrum.magnitudeDb !== undefined;
  const values = spectrum.magnitudeDb ?? spectrum.psd ?? [];
  const y = alreadyDb || !p.db ? values : Array.from(values, (v) => 10 * Math.log10(v));
  const svg = renderSvgPlot(spectrum.frequencies, y, {
    width: p.width,
    height: p.height,
    title: labels.title,
    xLabel: labels.xLabel,
    yLabel: alreadyDb || p.db ? labels.yLabelDb : labels.yLabel,
    logX: p.logFrequency,
    logY: !alreadyDb && !p.db,
  });
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
