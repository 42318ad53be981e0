/**
 * The quantiles sink's arithmetic: per column a KLL sketch (kll.ts), or in exact mode an
 * ExactSelector (exact-select.ts) bracketed by a finer sketch from a pass before, and numpy's
 * median and linear-interpolation quantile read off either of them.
 */
import type { Batch } from '../core/batch.ts';
import { newRowsOf } from '../core/batch.ts';
import type { DType } from '../core/dtype.ts';
import type { Accumulator } from '../core/stage.ts';
import { ExactSelector } from './exact-select.ts';
import { KllSketch, kllRankError } from './kll.ts';
import type { JsonNumber } from './numeric.ts';
import { toDoubles, toJsonNumber } from './numeric.ts';

/** The pre-pass sketch of `exact: true`: its rank error is about 1.9e-4. */
const EXACT_K = 16384;
/** Bracket half-width of the exact pass, in units of the sketch's 99% rank error. */
const EXACT_MARGIN = 5;

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

/** The result of the quantiles sink, and the JSON it writes. */
export interface QuantilesResult {
  readonly columns: ColumnQuantiles[];
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

/**
 * Quantiles as a table: one row per quantile (the median first, then `q` as asked), a float64
 * column `q` and one float64 column per summarised column (NaN where it has no values; an
 * int64 value beyond 2^53 becomes the nearest double, the JSON keeps it exact).
 */
export function quantilesTable(result: QuantilesResult): { columns: Record<string, Float64Array> } {
  const keys = ['0.5', ...Object.keys(result.columns[0]?.quantiles ?? {}).filter((k) => k !== '0.5')];
  const columns: Record<string, Float64Array> = { q: Float64Array.from(keys, Number) };
  const num = (v: JsonNumber | null | undefined) => (v === null || v === undefined ? NaN : Number(v));
  for (const c of result.columns) {
    columns[c.column] = Float64Array.from(keys, (k) => num(k === '0.5' ? c.median : c.quantiles[k]));
  }
  return { columns };
}
