import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { newRowsOf } from '../core/batch.ts';
import type { DType } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { requireColumns } from '../core/schema.ts';
import type { Accumulator } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import { createAccumulatorSink } from '../adapters/accumulator-sink.ts';
import { ExactSelector } from '../stats/exact-select.ts';
import { KllSketch, kllRankError } from '../stats/kll.ts';
import type { JsonNumber } from '../stats/numeric.ts';
import { toDoubles, toJsonNumber } from '../stats/numeric.ts';

/** The pre-pass sketch of `exact: true`: its rank error is about 1.9e-4. */
const EXACT_K = 16384;
/** Bracket half-width of the exact pass, in units of the sketch's 99% rank error. */
const EXACT_MARGIN = 5;

const params = z
  .object({
    columns: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Columns to summarise (a width-k column contributes all its values); every column when absent.',
      ),
    q: z
      .array(z.number().min(0).max(1))
      .default([0.25, 0.75])
      .describe("Quantiles wanted besides the median, in [0, 1] (numpy.quantile's q)."),
    exact: z
      .boolean()
      .default(false)
      .describe(
        'Exact values (numpy.nanmedian / numpy.nanquantile, method linear) at the cost of a pass before the ' +
          'main one and memory of about 0.2% of the values per quantile; otherwise a KLL sketch.',
      ),
    k: z
      .number()
      .int()
      .min(8)
      .max(65536)
      .default(1000)
      .describe(
        'KLL sketch size: normalized rank error below 2.296/k^0.9723 (0.28% for k = 1000) with 99% ' +
          'probability per quantile; memory about 3k doubles per column.',
      ),
    out: z
      .string()
      .min(1)
      .optional()
      .describe('Path of the JSON file to write; when absent the result is only returned to the caller.'),
  })
  .strict()
  .describe(
    'Median and chosen quantiles of each column, NaNs left out (numpy.nanmedian, numpy.nanquantile with ' +
      "method 'linear'). By default from a mergeable KLL sketch whose rank error is reported as `rankError` " +
      '(a fraction of the count; it replaces the median of chunk medians, which has no bound); with ' +
      '`exact: true`, exact, using a sketch pass first to bracket each value.',
  );

export type QuantilesParams = z.output<typeof params>;

export interface ColumnQuantiles {
  readonly column: string;
  /** Values that are not NaN. */
  readonly count: number;
  readonly nan: number;
  readonly median: JsonNumber | null;
  /** Quantile (as written in `q`) → value. */
  readonly quantiles: Record<string, JsonNumber | null>;
  readonly exact: boolean;
  /** Normalized rank error bound (99% per quantile) of the sketch; 0 when exact. */
  readonly rankError: number;
}

export interface QuantilesResult {
  readonly columns: ColumnQuantiles[];
}

export default defineStage({
  name: 'quantiles',
  kind: 'sink',
  params,
  outputs: (p) => (p.out ? [p.out] : []),
  check: (p, schema) => void requireColumns(schema, p.columns, 'quantiles'),
  prepare: (p, schema) => {
    if (!p.exact) return undefined;
    const names = columnsOf(p, schema).map((c) => c.name);
    return new SketchPass(names.length, names);
  },
  create: (p, ctx) => {
    const columns = columnsOf(p, ctx.schema);
    let sketches: SketchPass | undefined;
    if (p.exact) {
      if (!(ctx.prepared instanceof SketchPass)) {
        throw new SluiceError('STAGE_FAILED', 'quantiles: the sketch pass over the input did not run', {
          hint: 'exact: true needs the pipeline runner, which runs `prepare` first',
        });
      }
      sketches = ctx.prepared;
    }
    return createAccumulatorSink(new QuantilesAccumulator(columns, p.q, p.k, sketches), {
      out: p.out,
      overwrite: ctx.overwrite,
    });
  },
});

function columnsOf(p: QuantilesParams, schema: Schema): { name: string; dtype: DType }[] {
  return requireColumns(schema, p.columns, 'quantiles').map((c) => ({ name: c.name, dtype: c.dtype }));
}

/**
 * The pass before the main one in exact mode: a fine sketch per column (its result is
 * itself, handed to `create` as `ctx.prepared`).
 */
export class SketchPass implements Accumulator<SketchPass> {
  readonly sketches: KllSketch[];

  constructor(
    columns: number,
    private readonly names: readonly string[] = [],
  ) {
    this.sketches = Array.from({ length: columns }, () => new KllSketch(EXACT_K));
  }

  add(batch: Batch): void {
    const names = this.names.length ? this.names : batch.schema.columns.map((c) => c.name);
    this.sketches.forEach((sketch, i) => sketch.addAll(toDoubles(newRowsOf(batch, names[i]))));
  }

  merge(other: SketchPass): void {
    this.sketches.forEach((sketch, i) => sketch.merge(other.sketches[i]));
  }

  result(): SketchPass {
    return this;
  }
}

interface ColumnState {
  readonly name: string;
  readonly dtype: DType;
  readonly sketch: KllSketch;
  nan: number;
  /** Exact mode: the bracketing pass. */
  readonly selector?: ExactSelector;
}

/**
 * Per column, a KLL sketch; in exact mode also an ExactSelector bracketed by the pre-pass
 * sketches (`sketches`), which decides the result.
 */
export class QuantilesAccumulator implements Accumulator<QuantilesResult> {
  private readonly states: ColumnState[];

  constructor(
    columns: readonly { name: string; dtype: DType }[],
    readonly q: readonly number[],
    readonly k: number,
    sketches: SketchPass | undefined,
  ) {
    this.states = columns.map(({ name, dtype }, i) => {
      const prepared = sketches?.sketches[i];
      let selector: ExactSelector | undefined;
      if (prepared && prepared.n > 0) {
        const n = prepared.n;
        const ranks = wantedRanks(n, q).flat();
        const margin = Math.ceil(EXACT_MARGIN * kllRankError(prepared.k) * n) + 2;
        selector = new ExactSelector(name, prepared.view(), ranks, margin);
      }
      return { name, dtype, sketch: new KllSketch(k), nan: 0, selector };
    });
  }

  add(batch: Batch): void {
    for (const s of this.states) {
      const values = toDoubles(newRowsOf(batch, s.name));
      s.selector?.addAll(values);
      // The count and the NaNs come from the sketch, kept in exact mode too (it is cheap).
      s.nan += s.sketch.addAll(values);
    }
  }

  merge(other: QuantilesAccumulator): void {
    this.states.forEach((s, i) => {
      const theirs = other.states[i];
      s.sketch.merge(theirs.sketch);
      s.nan += theirs.nan;
      if (s.selector && theirs.selector) s.selector.merge(theirs.selector);
    });
  }

  result(): QuantilesResult {
    return {
      columns: this.states.map((s) => {
        const n = s.sketch.n;
        const exact = s.selector !== undefined;
        const view = exact ? undefined : s.sketch.view();
        const at = (r: number) => (s.selector ? s.selector.valueAtRank(r) : view!.valueAtRank(r));
        const float32 = s.dtype === 'float32';
        const value = (x: number | null) => (x === null ? null : toJsonNumber(x));
        const quantiles: Record<string, JsonNumber | null> = {};
        for (const q of this.q) quantiles[String(q)] = value(n ? quantileOf(at, n, q, float32) : null);
        return {
          column: s.name,
          count: n,
          nan: s.nan,
          median: value(n ? medianOf(at, n, float32) : null),
          quantiles,
          exact,
          rankError: exact || n === 0 ? 0 : kllRankError(s.sketch.k),
        };
      }),
    };
  }
}

/** The ranks numpy reads for each q: floor and ceil of (n − 1)·q, and the median's. */
export function wantedRanks(n: number, q: readonly number[]): number[][] {
  const ranks = q.map((x) => {
    const h = (n - 1) * x;
    return [Math.floor(h), Math.min(n - 1, Math.floor(h) + 1)];
  });
  ranks.push([Math.floor((n - 1) / 2), Math.floor(n / 2)]);
  return ranks;
}

/**
 * numpy.quantile(a, q) with method 'linear' and a Python float q: virtual index (n − 1)·q,
 * then numpy's _lerp (from the far end when the weight is ≥ 0.5), in float32 for float32 data.
 */
export function quantileOf(at: (rank: number) => number, n: number, q: number, float32: boolean): number {
  const h = (n - 1) * q;
  if (h >= n - 1) return at(n - 1);
  const i = Math.floor(h);
  const a = at(i);
  const b = at(i + 1);
  const t = h - i;
  const f = float32 ? Math.fround : (x: number) => x;
  const diff = f(b - a);
  return t >= 0.5 ? f(b - f(diff * f(1 - t))) : f(a + f(diff * f(t)));
}

/** numpy.median: the middle value, or the mean of the two middle values (in float32 for float32 data). */
export function medianOf(at: (rank: number) => number, n: number, float32: boolean): number {
  const a = at(Math.floor((n - 1) / 2));
  if (n % 2 === 1) return a;
  const b = at(n / 2);
  return float32 ? Math.fround(Math.fround(a + b) / 2) : (a + b) / 2;
}
