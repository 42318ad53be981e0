/**
 * The Welch average as an Accumulator (docs/design.md §3): the sum of raw periodograms |X_k|² and
 * their count, plus, for `average: median`, every periodogram (float64, in one growable
 * array: segments × bins × 8 bytes, capped by `medianMemoryBytes`). Scaling, one-sided
 * doubling and scipy's median bias are applied once, in result(). The sums are kept in blocks
 * of 16 periodograms aligned to the segment index, each summed in float64 in segment order and
 * added exactly into the total (BlockSumVector), so the PSD's every bit depends on the
 * periodograms alone: not on chunk size, threads or shards, nor on the order they are merged in
 * (docs/design.md §7).
 * Merging concatenates the median's periodograms in row order.
 */
import type { Batch } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { Accumulator } from '../core/stage.ts';
import type { BlockSumVectorState } from '../stats/block-sum-vector.ts';
import { BlockSumVector } from '../stats/block-sum-vector.ts';
import type { SegmentSpectrum } from './segment-spectrum.ts';
import type { Average, Scaling } from './spectral-scaling.ts';
import { frequencies, medianBias, oneSidedFactor, spectralScale } from './spectral-scaling.ts';

export interface PsdConfig {
  readonly nperseg: number;
  readonly nfft: number;
  readonly sampleRate: number;
  readonly scaling: Scaling;
  readonly average: Average;
  /** Σw and Σw² of the window the segments were multiplied by. */
  readonly windowSums: { readonly sum: number; readonly sumSquares: number };
  /** A label of the window, for the result. */
  readonly window: string;
  /** Most bytes the median may keep; beyond it the run stops with a clear error. */
  readonly medianMemoryBytes?: number;
}

/** The result of `psd` and `welch`, and the JSON they write. A stable shape: other sinks read it. */
export interface PsdResult {
  /** rfftfreq(nfft, 1/fs), Hz (cycles per sample when the source has no sampleRate). */
  readonly frequencies: number[];
  readonly psd: number[];
  /** Periodograms averaged. */
  readonly segments: number;
  readonly scaling: Scaling;
  readonly average: Average;
  readonly nperseg: number;
  readonly nfft: number;
  readonly sampleRate: number;
  readonly window: string;
}

const DEFAULT_MEDIAN_BYTES = 1 << 30;

export class PsdAccumulator implements Accumulator<PsdResult> {
  readonly bins: number;
  /** Σ |X_k|² over the periodograms (mean; unused by the median), by segment index. */
  readonly sums: BlockSumVector;
  count = 0;
  /** Every periodogram, row-major, for the median; `count` rows are in use. */
  kept: Float64Array;

  constructor(readonly config: PsdConfig) {
    this.bins = Math.floor(config.nfft / 2) + 1;
    this.sums = new BlockSumVector(this.bins);
    this.kept = new Float64Array(config.average === 'median' ? this.bins * 16 : 0);
  }

  /**
   * Adds the periodogram of the segment `spectrum` last transformed, segment number `index`
   * (counted from the signal's origin): summed straight from the FFT's output for the mean.
   */
  addSegment(spectrum: SegmentSpectrum, index: number): void {
    if (this.config.average === 'median') spectrum.powerInto(this.reserveRow());
    else {
      const sum = this.sums.accumulatorFor(index);
      if (sum) spectrum.addPowerTo(sum);
      else spectrum.powerInto(this.sums.rowFor(index));
      this.sums.commit();
    }
    this.count++;
  }

  /** Adds one raw periodogram |X_k|² (length `bins`), row number `index` of the signal. */
  addPower(power: Float64Array, index: number): void {
    if (this.config.average === 'median') this.reserveRow().set(power);
    else this.sums.add(index, power);
    this.count++;
  }

  /** Adds the new rows of a batch with a width-`bins` column `spectrum` of raw power. */
  add(batch: Batch): void {
    const { data, width } = getColumn(batch, 'spectrum');
    if (width !== this.bins || !(data instanceof Float64Array)) {
      throw new SluiceError(
        'DATA_INVALID',
        `psd: expected a float64 spectrum of ${this.bins} bins, got ${width}`,
      );
    }
    for (let r = batch.history; r < batch.rows; r++) {
      this.addPower(data.subarray(r * width, (r + 1) * width), batch.start + r);
    }
  }

  toState(): PsdState {
    const { config, bins, count, kept } = this;
    return { config, bins, sums: this.sums.toState(), count, kept: kept.subarray(0, count * bins) };
  }

  /** Folds in another accumulator, or its `toState()` (what a worker thread sends back). */
  merge(accumulator: PsdAccumulator): void {
    const other: PsdAccumulator | PsdState = accumulator;
    const a = this.config;
    const b = other.config;
    if (a.nfft !== b.nfft || a.nperseg !== b.nperseg || a.average !== b.average || a.scaling !== b.scaling) {
      throw new SluiceError(
        'DATA_INVALID',
        'psd: cannot merge PSDs of different nperseg, nfft, scaling or average',
        {
          hint: 'give every shard the same spectral parameters',
        },
      );
    }
    this.sums.merge(other.sums);
    if (a.average === 'median') {
      for (let r = 0; r < other.count; r++) {
        this.reserveRow().set(other.kept.subarray(r * this.bins, (r + 1) * this.bins));
        this.count++;
      }
    } else {
      this.count += other.count;
    }
  }

  result(): PsdResult {
    const { config, bins, count } = this;
    const scale = spectralScale(config.scaling, config.sampleRate, config.windowSums);
    const psd = new Array<number>(bins);
    if (config.average === 'mean') {
      const sums = this.sums.sums();
      for (let k = 0; k < bins; k++) psd[k] = (sums[k] * scale * oneSidedFactor(k, config.nfft)) / count;
    } else {
      const bias = medianBias(count);
      const column = new Float64Array(count);
      for (let k = 0; k < bins; k++) {
        for (let r = 0; r < count; r++) column[r] = this.kept[r * bins + k];
        psd[k] = (median(column) * scale * oneSidedFactor(k, config.nfft)) / bias;
      }
    }
    return {
      frequencies: frequencies(config.nfft, config.sampleRate),
      psd,
      segments: count,
      scaling: config.scaling,
      average: config.average,
      nperseg: config.nperseg,
      nfft: config.nfft,
      sampleRate: config.sampleRate,
      window: config.window,
    };
  }

  /** The row for periodogram number `count`, growing the store by doubling. */
  private reserveRow(): Float64Array {
    const need = (this.count + 1) * this.bins;
    if (need > this.kept.length) {
      const limit = this.config.medianMemoryBytes ?? DEFAULT_MEDIAN_BYTES;
      if (need * 8 > limit) {
        throw new SluiceError(
          'DATA_INVALID',
          `average: median keeps every periodogram and needs more than ${Math.round(limit / 2 ** 20)} MiB here`,
          { hint: 'use average: mean, a larger hop, fewer rows (startRow/endRow), or raise medianMemoryMiB' },
        );
      }
      const grown = new Float64Array(Math.min(Math.max(need, this.kept.length * 2), Math.floor(limit / 8)));
      grown.set(this.kept);
      this.kept = grown;
    }
    return this.kept.subarray(this.count * this.bins, need);
  }
}

/** A PsdAccumulator as plain, structured-cloneable data. */
export interface PsdState {
  readonly config: PsdConfig;
  readonly bins: number;
  readonly sums: BlockSumVectorState;
  readonly count: number;
  readonly kept: Float64Array;
}

/** numpy.median of the values (reorders them); NaN when any is NaN, as numpy. */
export function median(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return NaN;
  values.sort();
  if (Number.isNaN(values[n - 1])) return NaN;
  const mid = n >> 1;
  return n % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}
