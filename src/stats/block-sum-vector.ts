/**
 * Sums of many lanes over numbered rows (one periodogram per segment, one lane per frequency
 * bin), at about the cost of plain float64 adds, with every bit independent of how the rows were
 * split into chunks, threads or shards and of the order the pieces are merged in.
 *
 * Rows are summed plainly, in float64 and in row order, within fixed blocks of BLOCK_ROWS rows
 * aligned to the absolute row index (block b holds rows [b·BLOCK_ROWS, (b+1)·BLOCK_ROWS)); each
 * completed block's sum is added exactly into an ExactSumVector (~5 ns per lane, paid once per
 * block instead of once per row). A block one accumulator sees only part of (at the edges of a
 * shard) is kept as fragments: the running sum of its rows from the block's first row on (a
 * prefix: exactly the state a one-pass fold would have reached), or the rows themselves. Merges
 * bring the other fragments; a block whose fragments cover it is folded in row order, so its
 * sum has the bits of the one-pass fold. The total is the correctly rounded sum of the block
 * sums: the same on one thread or many, at every chunk size.
 */
import { SluiceError } from '../core/errors.ts';
import type { ExactSumVectorState } from './exact-sum-vector.ts';
import { ExactSumVector } from './exact-sum-vector.ts';

/**
 * Rows per block. 16 makes the exact adds ~1/16 of their per-row cost; a shard's edges keep at
 * most 2 × 15 rows (2 × 15 × 2049 × 8 B ≈ 0.5 MB for nfft 4096). Changing it changes the bits.
 */
export const BLOCK_ROWS = 16;

/** Part of one block: a prefix sum from the block's first row, or rows as they came. */
export interface SumFragment {
  /** Absolute index of the fragment's first row. */
  readonly first: number;
  /** Rows it covers. */
  rows: number;
  /** true: `values` (lanes long) is the fold of rows first … first + rows − 1, first on a block start. */
  readonly prefix: boolean;
  /** The fold (prefix) or the rows, row-major (room for the rest of the block). */
  readonly values: Float64Array;
}

/** A plain, structured-clone friendly copy of a BlockSumVector. */
export interface BlockSumVectorState {
  readonly lanes: number;
  readonly blockRows: number;
  readonly exact: ExactSumVectorState;
  readonly fragments: readonly SumFragment[];
}

const blockOf = (row: number): number => Math.floor(row / BLOCK_ROWS);

export class BlockSumVector {
  readonly lanes: number;
  /** The exact sum of every completed block. */
  private readonly exact: ExactSumVector;
  /** The fold of the current block's rows so far: rows runningFirst … + runningRows − 1. */
  private readonly running: Float64Array;
  private runningFirst = 0;
  private runningRows = 0;
  /** Blocks seen in part (edges of shards), waiting for merges to complete them. */
  private fragments: SumFragment[] = [];
  /** Where the row being added goes: the running fold, or the last fragment's rows. */
  private intoRunning = false;

  constructor(lanes: number) {
    this.lanes = lanes;
    this.exact = new ExactSumVector(lanes);
    this.running = new Float64Array(lanes);
  }

  /**
   * The array to add row `index`'s values into with `+=` (lane by lane, in lane order), or null
   * when the row must be written whole into `rowFor(index)`. Either way, `commit()` follows.
   */
  accumulatorFor(index: number): Float64Array | null {
    if (this.runningRows > 0 && index === this.runningFirst + this.runningRows) {
      this.intoRunning = true;
      return this.running;
    }
    this.intoRunning = false;
    if (index % BLOCK_ROWS !== 0) return null;
    this.flushRunning();
    this.running.fill(0);
    this.runningFirst = index;
    this.intoRunning = true;
    return this.running;
  }

  /** The lanes to write row `index` into, when accumulatorFor(index) gave null. */
  rowFor(index: number): Float64Array {
    this.flushRunning();
    const { lanes } = this;
    let last = this.fragments.at(-1);
    const fits =
      last &&
      !last.prefix &&
      last.first + last.rows === index &&
      blockOf(last.first) === blockOf(index) &&
      (last.rows + 1) * lanes <= last.values.length;
    if (!last || !fits) {
      const rest = (blockOf(index) + 1) * BLOCK_ROWS - index;
      last = { first: index, rows: 0, prefix: false, values: new Float64Array(rest * lanes) };
      this.fragments.push(last);
    }
    this.intoRunning = false;
    return last.values.subarray(last.rows * lanes, (last.rows + 1) * lanes);
  }

  /** Counts the row just added (after accumulatorFor or rowFor). */
  commit(): void {
    if (!this.intoRunning) {
      const last = this.fragments.at(-1);
      if (last) last.rows++;
      return;
    }
    if (++this.runningRows === BLOCK_ROWS) {
      this.exact.add(this.running);
      this.runningRows = 0;
    }
  }

  /** Adds row `index` (one value per lane). */
  add(index: number, values: ArrayLike<number>): void {
    if (values.length !== this.lanes) {
      throw new SluiceError(
        'SIZE_MISMATCH',
        `block sum: expected ${this.lanes} values, got ${values.length}`,
      );
    }
    const target = this.accumulatorFor(index);
    if (target) for (let k = 0; k < target.length; k++) target[k] += values[k];
    else this.rowFor(index).set(values);
    this.commit();
  }

  /** Folds in another vector of other rows, or its toState(); completes the blocks they share. */
  merge(other: BlockSumVector | BlockSumVectorState): void {
    const state = other instanceof BlockSumVector ? other.toState() : other;
    if (state.lanes !== this.lanes || state.blockRows !== BLOCK_ROWS) {
      throw new SluiceError(
        'SIZE_MISMATCH',
        `block sum: cannot merge ${state.lanes} lanes in blocks of ${state.blockRows} into ${this.lanes} in ${BLOCK_ROWS}`,
      );
    }
    this.exact.merge(ExactSumVector.fromState(state.exact));
    this.flushRunning();
    for (const f of state.fragments) this.fragments.push({ ...f, values: f.values.slice() });
    const pending: SumFragment[] = [];
    for (const group of byBlock(this.fragments)) {
      if (covers(group)) this.exact.add(this.fold(group));
      else pending.push(...group);
    }
    this.fragments = pending;
  }

  /** Every lane's total, correctly rounded: the completed blocks and the partly seen ones. */
  sums(): Float64Array {
    const total = ExactSumVector.fromState(this.exact.toState());
    for (const group of byBlock(this.pendingFragments())) total.add(this.fold(group));
    return total.sums();
  }

  toState(): BlockSumVectorState {
    return {
      lanes: this.lanes,
      blockRows: BLOCK_ROWS,
      exact: this.exact.toState(),
      fragments: this.pendingFragments().map((f) => ({
        ...f,
        values: f.values.slice(0, f.prefix ? this.lanes : f.rows * this.lanes),
      })),
    };
  }

  static fromState(state: BlockSumVectorState): BlockSumVector {
    const vector = new BlockSumVector(state.lanes);
    vector.merge(state);
    return vector;
  }

  /** The fragments, with the running fold as a prefix fragment (not copied). */
  private pendingFragments(): SumFragment[] {
    if (this.runningRows === 0) return this.fragments;
    const running = { first: this.runningFirst, rows: this.runningRows, prefix: true, values: this.running };
    return [...this.fragments, running];
  }

  private flushRunning(): void {
    if (this.runningRows === 0) return;
    const values = this.running.slice();
    this.fragments.push({ first: this.runningFirst, rows: this.runningRows, prefix: true, values });
    this.runningRows = 0;
  }

  /** One block's fragments (in row order) folded as a one-pass fold from 0 would: row by row. */
  private fold(group: readonly SumFragment[]): Float64Array {
    const { lanes } = this;
    const sum = new Float64Array(lanes);
    for (const f of group) {
      if (f.prefix) {
        for (let k = 0; k < lanes; k++) sum[k] += f.values[k];
        continue;
      }
      for (let r = 0; r < f.rows; r++) {
        const o = r * lanes;
        for (let k = 0; k < lanes; k++) sum[k] += f.values[o + k];
      }
    }
    return sum;
  }
}

/** Fragments grouped by block, each group in row order. */
function byBlock(fragments: readonly SumFragment[]): SumFragment[][] {
  const groups = new Map<number, SumFragment[]>();
  for (const f of fragments) {
    const b = blockOf(f.first);
    const group = groups.get(b);
    if (group) group.push(f);
    else groups.set(b, [f]);
  }
  return [...groups.values()].map((g) => g.sort((x, y) => x.first - y.first));
}

/** Whether a block's fragments (in row order) cover it without gaps. */
function covers(group: readonly SumFragment[]): boolean {
  let next = blockOf(group[0].first) * BLOCK_ROWS;
  for (const f of group) {
    if (f.first !== next) return false;
    next += f.rows;
  }
  return next === (blockOf(group[0].first) + 1) * BLOCK_ROWS;
}
