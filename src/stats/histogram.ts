/**
 * numpy.histogram's counting over fixed edges (bin-edges.ts plans them): an accumulator that
 * counts the new rows of each batch, keeps NaNs and values outside the edges apart, and merges
 * with another of the same edges (a shard of the same input); its result as a table.
 */
import type { Batch } from '../core/batch.ts';
import { newRowsOf } from '../core/batch.ts';
import type { NumberArray, TypedArray } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { Accumulator } from '../core/stage.ts';
import type { BinPlan } from './bin-edges.ts';
import { binIndex, sameEdges } from './bin-edges.ts';
import type { BigIntArray } from './numeric.ts';
import { HI_WORD, isBigIntArray, LO_WORD, toInt64Words, TWO_POW_32 } from './numeric.ts';

/** The result of the histogram sink, and the JSON it writes. */
export interface HistogramResult {
  readonly column: string;
  readonly edges: number[];
  readonly counts: number[];
  /** Values below the first edge. */
  readonly underflow: number;
  /** Values above the last edge. */
  readonly overflow: number;
  readonly nan: number;
}

/** Counts per bin, plus what fell outside; the kernels add to it in place. */
export interface HistogramTally {
  readonly counts: Float64Array;
  underflow: number;
  overflow: number;
  nan: number;
}

/** A fixed-edge histogram; add() counts only the new rows of a batch (docs/design.md §1). */
export class HistogramAccumulator implements Accumulator<HistogramResult>, HistogramTally {
  readonly counts: Float64Array;
  underflow = 0;
  overflow = 0;
  nan = 0;

  constructor(
    readonly column: string,
    readonly plan: BinPlan,
  ) {
    this.counts = new Float64Array(plan.bins);
  }

  add(batch: Batch): void {
    binValues(newRowsOf(batch, this.column), this.plan, this);
  }

  toState(): Pick<HistogramAccumulator, 'column' | 'plan' | 'counts' | 'underflow' | 'overflow' | 'nan'> {
    const { column, plan, counts, underflow, overflow, nan } = this;
    return { column, plan, counts, underflow, overflow, nan };
  }

  /** Adds another histogram of the same column and edges (a shard of the same input). */
  merge(other: HistogramAccumulator): void {
    if (other.column !== this.column || !sameEdges(this.plan.edges, other.plan.edges)) {
      throw new SluiceError(
        'RANGE_INVALID',
        'histogram: cannot merge histograms with different columns or edges',
        {
          hint: "every shard must bin with the same edges: merge the shards' min/max pre-passes first, or give `range`",
        },
      );
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.underflow += other.underflow;
    this.overflow += other.overflow;
    this.nan += other.nan;
  }

  result(): HistogramResult {
    return {
      column: this.column,
      edges: Array.from(this.plan.edges),
      counts: Array.from(this.counts),
      underflow: this.underflow,
      overflow: this.overflow,
      nan: this.nan,
    };
  }
}

/** A histogram as a table: one row per bin, its edges (float64) and its count (int64, as numpy). */
export function histogramTable(result: HistogramResult, unit?: string) {
  const bins = result.counts.length;
  return {
    columns: {
      left: Float64Array.from(result.edges.slice(0, bins)),
      right: Float64Array.from(result.edges.slice(1, bins + 1)),
      count: BigInt64Array.from(result.counts, (c) => BigInt(c)),
    },
    units: unit ? { left: unit, right: unit } : undefined,
  };
}

// --- kernels ---------------------------------------------------------------------------------

/** Adds every value of `data` to `tally` with the bins of `plan`. */
export function binValues(data: TypedArray, plan: BinPlan, tally: HistogramTally): void {
  if (isBigIntArray(data)) binInt64Values(data, plan, tally);
  else binNumberValues(data, plan, tally);
}

/** Float and up-to-32-bit integer columns (integers convert to float64 exactly). */
export function binNumberValues(data: NumberArray, plan: BinPlan, tally: HistogramTally): void {
  // float32 values (≤ 2^30 in one Buffer: the int32 scratch cannot overflow), and enough of
  // them that emptying the scratch afterwards costs little next to counting them.
  if (
    data instanceof Float32Array &&
    plan.float32Subtract &&
    plan.bins <= SCRATCH_BINS &&
    4 * data.length >= plan.bins
  )
    binFloat32Values(data, plan, tally);
  else binAnyValues(data, plan, tally);
}

/** Bins the float32 kernel counts into SCRATCH (an int32 increment instead of a float64 one). */
const SCRATCH_BINS = 1 << 16;
/** Counts of one binFloat32Values call; all zero between calls. */
const SCRATCH = new Int32Array(SCRATCH_BINS);

/**
 * binIndex for a float32 column, written out so that V8 compiles one tight loop: a float32
 * subtraction, numpy's division and product (float32 when the range came from the data), the
 * guess truncated (`| 0`: the quotient is in [0, bins] ⊂ int32) and moved by one against the
 * edges. Values outside [first, last] and NaNs are only counted here, and told apart by a
 * second pass when there were any, so that the loop has one rarely taken branch.
 */
function binFloat32Values(data: Float32Array, plan: BinPlan, tally: HistogramTally): void {
  const { edges, bins, offset, span } = plan;
  const scale32 = plan.float32Scale;
  const counts = SCRATCH;
  const f32 = Math.fround;
  const first = edges[0];
  const last = edges[bins];
  const lastBin = bins - 1;
  let outside = 0;
  for (let k = 0; k < data.length; k++) {
    const x = data[k];
    if (!(x >= first && x <= last)) {
      outside++;
      continue;
    }
    let f = f32(x - offset) / span;
    if (scale32) f = f32(f32(f) * bins);
    else f *= bins;
    let i = f | 0;
    if (i > lastBin) i = lastBin; // x on the last edge belongs to the last bin
    if (x < edges[i]) i--;
    else if (i !== lastBin && x >= edges[i + 1]) i++;
    counts[i]++;
  }
  const total = tally.counts;
  for (let i = 0; i < bins; i++) {
    total[i] += counts[i];
    counts[i] = 0;
  }
  if (outside > 0) countOutside(data, first, last, tally);
}

/** Adds the NaNs and the values below `first` and above `last` of `data` to the tally. */
function countOutside(data: Float32Array, first: number, last: number, tally: HistogramTally): void {
  let underflow = 0;
  let overflow = 0;
  let nan = 0;
  for (let k = 0; k < data.length; k++) {
    const x = data[k];
    if (x < first) underflow++;
    else if (x > last) overflow++;
    else if (x !== x) nan++;
  }
  tally.underflow += underflow;
  tally.overflow += overflow;
  tally.nan += nan;
}

/** Any number column, value by value through binIndex. */
function binAnyValues(data: NumberArray, plan: BinPlan, tally: HistogramTally): void {
  const { edges, bins } = plan;
  const { counts } = tally;
  const first = edges[0];
  const last = edges[bins];
  let underflow = 0;
  let overflow = 0;
  let nan = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!(x >= first)) {
      if (x !== x) nan++;
      else underflow++;
    } else if (x > last) overflow++;
    else counts[binIndex(x, plan, edges, bins)]++;
  }
  tally.underflow += underflow;
  tally.overflow += overflow;
  tally.nan += nan;
}

/** int64/uint64 columns: values convert to the nearest double, as numpy casts them. */
export function binInt64Values(data: BigIntArray, plan: BinPlan, tally: HistogramTally): void {
  const { edges, bins } = plan;
  const { counts } = tally;
  const signed = data instanceof BigInt64Array;
  const words = toInt64Words(data);
  const [hiWord, loWord, scale] = [HI_WORD, LO_WORD, TWO_POW_32]; // locals: see int64Moments
  const first = edges[0];
  const last = edges[bins];
  let underflow = 0;
  let overflow = 0;
  for (let i = 0; i < data.length; i++) {
    const w = words[2 * i + hiWord];
    const x = (signed ? w | 0 : w) * scale + words[2 * i + loWord]; // as int64WordsToNumber
    if (x < first) underflow++;
    else if (x > last) overflow++;
    else counts[binIndex(x, plan, edges, bins)]++;
  }
  tally.underflow += underflow;
  tally.overflow += overflow;
}
