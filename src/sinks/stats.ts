import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { newRowsOf } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import type { Accumulator } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import { createAccumulatorSink } from '../adapters/accumulator-sink.ts';
import type { ResultTable } from '../adapters/result-file.ts';
import { RESULT_EXTENSIONS } from '../adapters/result-file.ts';
import { requireColumns } from '../core/schema.ts';
import type { ExactMomentsState } from '../stats/exact-moments.ts';
import { ExactMoments } from '../stats/exact-moments.ts';
import type { JsonNumber } from '../stats/numeric.ts';
import { toJsonNumber, toJsonValue } from '../stats/numeric.ts';

const params = z
  .object({
    out: z
      .string()
      .min(1)
      .optional()
      .describe(
        'File to write: .parquet, .arrow/.feather/.arrows, .h5/.hdf5, .npy or .csv get a one-row table with ' +
          'columns <column>.count, .mean, .std, .min, .max, .nanCount (float64; counts int64); .json the JSON result; other ' +
          'extensions are refused. When absent the result is only returned to the caller.',
      ),
    columns: z
      .array(z.string().min(1))
      .min(1)
      .refine((names) => new Set(names).size === names.length, 'column names must not repeat')
      .optional()
      .describe(
        'Columns to summarise; every column when absent. A width-k column is summarised over all its values.',
      ),
  })
  .strict()
  .describe(
    'Per column: count, mean, std (population, ddof 0), min and max of the non-NaN values, and the NaN count, ' +
      'as numpy nanmean/nanstd/nanmin/nanmax. Σx and Σx² are kept exactly and rounded once, so mean and std ' +
      'are the correctly rounded values of the data and identical at every chunk size, thread and shard ' +
      'count; int64 values enter exactly, and their min/max stay exact (a decimal string beyond 2^53). ' +
      'Non-finite results are written as "NaN", "Infinity", "-Infinity".',
  );

export type StatsParams = z.output<typeof params>;

/** One column's summary, ready for JSON; mean/std/min/max are null when count is 0. */
export interface ColumnStats {
  readonly count: number;
  readonly mean: JsonNumber | null;
  readonly std: JsonNumber | null;
  readonly min: JsonNumber | null;
  readonly max: JsonNumber | null;
  readonly nanCount: number;
}

export interface StatsResult {
  readonly columns: Record<string, ColumnStats>;
}

export default defineStage({
  name: 'stats',
  kind: 'sink',
  params,
  outputs: (p) => (p.out ? [p.out] : []),
  extensions: RESULT_EXTENSIONS,
  check: (p, schema) => void statsColumns(p, schema),
  create: (p, ctx) =>
    createAccumulatorSink(new StatsAccumulator(statsColumns(p, ctx.schema)), {
      out: p.out,
      overwrite: ctx.overwrite,
      source: ctx.schema.source,
      table: statsTable,
    }),
});

/**
 * The statistics as a one-row table: `<column>.<statistic>` for each column. Values are
 * float64 (an int64 min/max beyond 2^53 becomes the nearest double; the JSON keeps it exact),
 * counts int64; a column with no values has NaN statistics.
 */
export function statsTable(result: StatsResult): ResultTable {
  const columns: Record<string, Float64Array | BigInt64Array> = {};
  const num = (v: JsonNumber | null) => new Float64Array([v === null ? NaN : Number(v)]);
  for (const [name, s] of Object.entries(result.columns)) {
    columns[`${name}.count`] = BigInt64Array.of(BigInt(s.count));
    columns[`${name}.mean`] = num(s.mean);
    columns[`${name}.std`] = num(s.std);
    columns[`${name}.min`] = num(s.min);
    columns[`${name}.max`] = num(s.max);
    columns[`${name}.nanCount`] = BigInt64Array.of(BigInt(s.nanCount));
  }
  return { columns };
}

/** The names of the columns the stats sink summarises; COLUMN_UNKNOWN for a missing one. */
export function statsColumns(p: StatsParams, schema: Schema): string[] {
  return requireColumns(schema, p.columns, 'stats').map((c) => c.name);
}

/** Exact moments per column; add() counts only the new rows of a batch (docs/design.md §1, §7). */
export class StatsAccumulator implements Accumulator<StatsResult> {
  readonly moments: ReadonlyMap<string, ExactMoments>;

  constructor(columns: readonly string[]) {
    this.moments = new Map(columns.map((name) => [name, new ExactMoments()]));
  }

  add(batch: Batch): void {
    for (const [name, moments] of this.moments) moments.add(newRowsOf(batch, name));
  }

  /** What a shard's worker sends back: each column's exact sums, structured-cloneable. */
  toState(): StatsState {
    return { moments: new Map([...this.moments].map(([name, m]) => [name, m.toState()])) };
  }

  /**
   * Merges an accumulator of the same columns (a shard of the same input), or its `toState()`:
   * the Accumulator contract lets a worker thread's state stand in for an instance.
   */
  merge(accumulator: StatsAccumulator): void {
    const other: StatsAccumulator | StatsState = accumulator;
    const same =
      other.moments.size === this.moments.size && [...this.moments.keys()].every((k) => other.moments.has(k));
    if (!same) {
      throw new SluiceError('COLUMN_UNKNOWN', 'stats: cannot merge accumulators of different columns', {
        hint: 'every shard must summarise the same columns: give each the same `columns`',
      });
    }
    for (const [name, moments] of this.moments) {
      const theirs = other.moments.get(name);
      if (theirs) moments.merge(theirs instanceof ExactMoments ? theirs : ExactMoments.fromState(theirs));
    }
  }

  result(): StatsResult {
    const columns: Record<string, ColumnStats> = {};
    for (const [name, moments] of this.moments) columns[name] = toColumnStats(moments);
    return { columns };
  }
}

/** A StatsAccumulator as plain data. */
export interface StatsState {
  readonly moments: ReadonlyMap<string, ExactMoments | ExactMomentsState>;
}

export function toColumnStats(m: ExactMoments): ColumnStats {
  const { count, nanCount, mean, std, min, max } = m.result();
  if (count === 0) return { count: 0, mean: null, std: null, min: null, max: null, nanCount };
  return {
    count,
    mean: toJsonNumber(mean),
    std: toJsonNumber(std),
    min: toJsonValue(min),
    max: toJsonValue(max),
    nanCount,
  };
}
