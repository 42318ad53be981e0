/**
 * Exact order statistics in one pass with bounded memory, given a sketch of the same values
 * from a pass before (the `prepare` pass): for each wanted rank r the sketch brackets the
 * value between its estimates at ranks r ∓ m (m a wide multiple of its rank error); the pass
 * counts the values below each bracket and keeps only those strictly inside it (values equal
 * to a bracket end are counted, not kept, so ties cost no memory). The rank is then read off
 * exactly. A bracket the true value escaped (odds far below 1e-12) is reported, never guessed.
 */
import { SluiceError } from '../core/errors.ts';
import type { SketchView } from './kll.ts';

/** Values kept per column at most (8 bytes each). */
export const MAX_KEPT_VALUES = 1 << 25;

interface Interval {
  lo: number;
  hi: number;
  below: number;
  equalLo: number;
  equalHi: number;
  kept: Float64Array;
  size: number;
}

export class ExactSelector {
  private readonly intervals: Interval[];

  /** `ranks`: the 0-based ranks wanted; `margin`: ranks of slack either side of each. */
  constructor(
    readonly column: string,
    view: SketchView,
    ranks: readonly number[],
    margin: number,
  ) {
    const n = view.n;
    const raw = ranks
      // A compacted sketch may have dropped the true minimum or maximum, so a bracket that
      // reaches either end of the ranks stays open there.
      .map((r) => ({
        lo: r - margin <= 0 ? -Infinity : view.valueAtRank(r - margin),
        hi: r + margin >= n - 1 ? Infinity : view.valueAtRank(r + margin),
      }))
      .sort((a, b) => a.lo - b.lo);
    const merged: { lo: number; hi: number }[] = [];
    for (const iv of raw) {
      const last = merged.at(-1);
      if (last && iv.lo <= last.hi) last.hi = Math.max(last.hi, iv.hi);
      else merged.push({ ...iv });
    }
    this.intervals = merged.map((iv) => ({
      ...iv,
      below: 0,
      equalLo: 0,
      equalHi: 0,
      kept: new Float64Array(1024),
      size: 0,
    }));
  }

  /** Counts and keeps what `data` holds (NaNs are skipped). */
  addAll(data: ArrayLike<number>): void {
    for (const iv of this.intervals) {
      const { lo, hi } = iv;
      let below = 0;
      let equalLo = 0;
      let equalHi = 0;
      for (let i = 0; i < data.length; i++) {
        const x = data[i];
        if (x < lo) below++;
        else if (x === lo) equalLo++;
        else if (x < hi) this.keep(iv, x);
        else if (x === hi) equalHi++;
      }
      iv.below += below;
      iv.equalLo += equalLo;
      iv.equalHi += equalHi;
    }
  }

  merge(other: ExactSelector): void {
    other.intervals.forEach((theirs, j) => {
      const iv = this.intervals[j];
      if (!iv || iv.lo !== theirs.lo || iv.hi !== theirs.hi) {
        throw new SluiceError(
          'RANGE_INVALID',
          'quantiles: cannot merge exact passes with different brackets',
          {
            hint: "merge the shards' sketch pre-passes first",
          },
        );
      }
      iv.below += theirs.below;
      iv.equalLo += theirs.equalLo;
      iv.equalHi += theirs.equalHi;
      for (let i = 0; i < theirs.size; i++) this.keep(iv, theirs.kept[i]);
    });
  }

  /** The exact value of 0-based rank r among the values added. */
  valueAtRank(r: number): number {
    for (const iv of this.intervals) {
      if (r < iv.below) continue;
      const kept = iv.kept.subarray(0, iv.size);
      kept.sort(); // in place; again on a later query it is already sorted
      let at = r - iv.below;
      if (at < iv.equalLo) return iv.lo;
      at -= iv.equalLo;
      if (at < iv.size) return kept[at];
      at -= iv.size;
      if (at < iv.equalHi) return iv.hi;
    }
    throw new SluiceError('STAGE_FAILED', `quantiles: the exact pass missed rank ${r} of '${this.column}'`, {
      hint: 'the sketch pre-pass was off by far more than its error bound (very unlikely): run again, or without exact',
    });
  }

  private keep(iv: Interval, x: number): void {
    if (iv.size === iv.kept.length) {
      if (iv.size >= MAX_KEPT_VALUES) {
        throw new SluiceError(
          'DATA_INVALID',
          `quantiles: too many values near a quantile of '${this.column}'`,
          {
            hint: `exact: true keeps at most ${MAX_KEPT_VALUES} values per bracket; use exact: false (a bounded rank error)`,
          },
        );
      }
      const grown = new Float64Array(Math.min(MAX_KEPT_VALUES, iv.size * 2));
      grown.set(iv.kept);
      iv.kept = grown;
    }
    iv.kept[iv.size++] = x;
  }
}
