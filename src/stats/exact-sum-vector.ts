/**
 * Exact sums of many lanes at once (e.g. one per frequency bin of a Welch average): add() takes
 * one value per lane, and every lane keeps the exact sum of everything it was given.
 *
 * A lane is a tiny fixed-point accumulator of LEVELS float64 "levels" 32 bits apart, below a
 * per-lane unit u (a power of two): level j holds a multiple of u·2^(-32j). A value below the
 * top (|x| < 2^32·u) is cut into one piece per level by rounding to the level's unit ((x + M) - M,
 * M = 1.5·2^52·unit, which is exact); each piece is at most 2^32 units, so a level takes 2^20
 * pieces before it could lose a bit, and every CARRY_EVERY adds the levels are carried upwards.
 * Cost per lane and add: a dozen float operations and no allocation; memory per lane: 5 doubles.
 * Rare cases go to a per-lane ExactSum (a BigInt): non-finite values (counted), the bits of a
 * value below the lowest level (more than ~2^76 below the lane's top), levels pushed out when a
 * larger value raises the lane's unit, and values of 2^974 or more. So a lane is exact in every
 * case, fast in all the usual ones, and bounded in size (its ExactSum spans at most ~2100 bits).
 */
import { SluiceError } from '../core/errors.ts';
import type { ExactSumState } from './exact-sum.ts';
import { ExactSum } from './exact-sum.ts';
import { decomposeDouble } from './exact-rounding.ts';

const LEVELS = 4;
const LEVEL_BITS = 32;
const LEVEL_SCALE = 2 ** LEVEL_BITS;
const LEVEL_DOWN = 2 ** -LEVEL_BITS;
/** (x + unit·ROUNDING) - unit·ROUNDING rounds x to a multiple of `unit` for |x| < 2^51·unit. */
const ROUNDING = 1.5 * 2 ** 52;
/** The lowest unit puts the lowest level's unit at 2^-1074, below which no double has bits. */
const MIN_UNIT_EXPONENT = -1074 + LEVEL_BITS * (LEVELS - 1);
/** The highest unit whose top level (up to 2^53 units) stays a finite double. */
const MAX_UNIT_EXPONENT = MIN_UNIT_EXPONENT + LEVEL_BITS * Math.floor((970 - MIN_UNIT_EXPONENT) / LEVEL_BITS);
/** Adds between carries: each level then holds at most 2^(32+19+1) units, below 2^53. */
const CARRY_EVERY = 2 ** 19;
/** After a carry the top level must leave room for CARRY_EVERY more pieces of up to 2^32 units. */
const TOP_LIMIT = 2 ** 52;

/** A plain, structured-clone friendly copy of an ExactSumVector. */
export interface ExactSumVectorState {
  readonly lanes: number;
  /** Per lane, the unit of its top level (a power of two). */
  readonly units: Float64Array;
  /** lanes × LEVELS doubles, lane-major. */
  readonly levels: Float64Array;
  readonly addsSinceCarry: number;
  /** The lanes that needed an ExactSum, with it. */
  readonly spills: readonly { readonly lane: number; readonly sum: ExactSumState }[];
}

const parts = { mantissa: 0, exponent: 0 };

/** The exponent e of the highest set bit of a finite non-zero |x|: 2^e ≤ |x| < 2^(e+1). */
function topBitExponent(x: number): number {
  decomposeDouble(x, parts);
  const m = Math.abs(parts.mantissa);
  const high = Math.floor(m / LEVEL_SCALE);
  const bits = high > 0 ? 64 - Math.clz32(high) : 32 - Math.clz32(m);
  return parts.exponent + bits - 1;
}

/**
 * Adds x to the lane starting at `offset` when it lies below the top: returns the part of x
 * below the lowest level (0 in the usual case), or NaN when x was not added (too large, or not
 * finite). Every step is exact: x = p0 + p1 + p2 + p3 + the returned rest.
 */
function addToLevels(levels: Float64Array, offset: number, unit: number, x: number): number {
  if (!(Math.abs(x) < unit * LEVEL_SCALE)) return NaN;
  const m0 = unit * ROUNDING;
  const p0 = x + m0 - m0;
  const r0 = x - p0;
  const m1 = m0 * LEVEL_DOWN;
  const p1 = r0 + m1 - m1;
  const r1 = r0 - p1;
  const m2 = m1 * LEVEL_DOWN;
  const p2 = r1 + m2 - m2;
  const r2 = r1 - p2;
  const m3 = m2 * LEVEL_DOWN;
  const p3 = r2 + m3 - m3;
  levels[offset] += p0;
  levels[offset + 1] += p1;
  levels[offset + 2] += p2;
  levels[offset + 3] += p3;
  return r2 - p3;
}

/** What the lane where addLanes stopped left (see addToLevels); a module variable (see addLanes). */
let stoppedRest = 0;

/**
 * Adds values[lane] to each lane from `first` on, until a lane leaves a rest (see addToLevels);
 * returns that lane, or the number of lanes. The loop calls nothing and nothing after it needs
 * type feedback (the rest goes out through a module variable): V8 may compile it mid-loop (OSR),
 * and a property access after the loop would then deoptimise every call.
 */
function addLanes(levels: Float64Array, units: Float64Array, values: Float64Array, first: number): number {
  const lanes = units.length;
  let lane = first;
  for (; lane < lanes; lane++) {
    const rest = addToLevels(levels, lane * LEVELS, units[lane], values[lane]);
    if (rest !== 0) {
      stoppedRest = rest;
      break;
    }
  }
  return lane;
}

/** Moves every level's multiples of the next level's unit up, so that |level j| ≤ 2^31 units. */
function carryLevels(levels: Float64Array, offset: number, unit: number): void {
  for (let j = LEVELS - 1; j >= 1; j--) {
    const value = levels[offset + j];
    if (value === 0) continue;
    const m = unit * 2 ** (-LEVEL_BITS * (j - 1)) * ROUNDING;
    const carry = value + m - m;
    levels[offset + j] = value - carry;
    levels[offset + j - 1] += carry;
  }
}

export class ExactSumVector {
  readonly lanes: number;
  private readonly units: Float64Array;
  private readonly levels: Float64Array;
  private addsSinceCarry = 0;
  /** Per lane, the rare parts (see the file comment); most lanes never need one. */
  private readonly spills = new Map<number, ExactSum>();

  constructor(lanes: number) {
    this.lanes = lanes;
    this.units = new Float64Array(lanes).fill(2 ** MIN_UNIT_EXPONENT);
    this.levels = new Float64Array(lanes * LEVELS);
  }

  /** Adds values[k] to lane k for every lane; `values` must have one value per lane. */
  add(values: Float64Array): void {
    const { lanes, levels, units } = this;
    if (values.length !== lanes) {
      throw new SluiceError('SIZE_MISMATCH', `exact sum: expected ${lanes} values, got ${values.length}`);
    }
    for (let lane = addLanes(levels, units, values, 0); lane < lanes;) {
      this.addRare(lane, values[lane], stoppedRest);
      lane = addLanes(levels, units, values, lane + 1);
    }
    if (++this.addsSinceCarry >= CARRY_EVERY) this.carryAll();
  }

  /** Adds x to one lane (any double); counts as an add for every lane. */
  addToLane(lane: number, x: number): void {
    this.addOne(lane, x);
    if (++this.addsSinceCarry >= CARRY_EVERY) this.carryAll();
  }

  /** Adds every lane of `other` (same number of lanes) exactly; `other` is left as it was. */
  merge(other: ExactSumVector): void {
    if (other.lanes !== this.lanes) {
      throw new SluiceError(
        'SIZE_MISMATCH',
        `exact sum: cannot merge ${other.lanes} lanes into ${this.lanes}`,
      );
    }
    this.carryAll();
    for (let lane = 0; lane < this.lanes; lane++) {
      // Levels hold at most 2^53 units each, so one carry after LEVELS adds keeps them exact.
      for (let j = 0; j < LEVELS; j++) this.addOne(lane, other.levels[lane * LEVELS + j]);
      const spill = other.spills.get(lane);
      if (spill) this.spillOf(lane).merge(spill);
    }
    this.carryAll();
  }

  /** The exact sum of one lane. */
  laneSum(lane: number): ExactSum {
    const sum = new ExactSum();
    const spill = this.spills.get(lane);
    if (spill) sum.merge(spill);
    for (let j = 0; j < LEVELS; j++) sum.add(this.levels[lane * LEVELS + j]);
    return sum;
  }

  /** Every lane's sum, correctly rounded (NaN/±Infinity as ExactSum.toNumber). */
  sums(): Float64Array {
    return Float64Array.from({ length: this.lanes }, (_, lane) => this.laneSum(lane).toNumber());
  }

  /** Every lane's sum / count, correctly rounded, for a positive integer count. */
  roundedDivide(count: number | bigint): Float64Array {
    return Float64Array.from({ length: this.lanes }, (_, lane) => this.laneSum(lane).roundedDivide(count));
  }

  toState(): ExactSumVectorState {
    return {
      lanes: this.lanes,
      units: this.units.slice(),
      levels: this.levels.slice(),
      addsSinceCarry: this.addsSinceCarry,
      spills: [...this.spills].map(([lane, sum]) => ({ lane, sum: sum.toState() })),
    };
  }

  static fromState(state: ExactSumVectorState): ExactSumVector {
    const vector = new ExactSumVector(state.lanes);
    vector.units.set(state.units);
    vector.levels.set(state.levels);
    vector.addsSinceCarry = state.addsSinceCarry;
    for (const { lane, sum } of state.spills) vector.spills.set(lane, ExactSum.fromState(sum));
    return vector;
  }

  private addOne(lane: number, x: number): void {
    const rest = addToLevels(this.levels, lane * LEVELS, this.units[lane], x);
    if (rest !== 0) this.addRare(lane, x, rest);
  }

  /** x did not fit (rest NaN: raise the lane's unit, or spill it) or left bits below the lowest level. */
  private addRare(lane: number, x: number, rest: number): void {
    if (rest === rest) return void this.spillOf(lane).add(rest);
    if (!Number.isFinite(x)) return void this.spillOf(lane).add(x);
    // The lowest aligned unit u with |x| < 2^32·u.
    const needed = topBitExponent(x) - LEVEL_BITS + 1;
    const aligned = MIN_UNIT_EXPONENT + LEVEL_BITS * Math.ceil((needed - MIN_UNIT_EXPONENT) / LEVEL_BITS);
    if (aligned > MAX_UNIT_EXPONENT) return void this.spillOf(lane).add(x);
    const current = topBitExponent(this.units[lane]);
    this.raiseUnit(lane, (aligned - current) / LEVEL_BITS);
    const below = addToLevels(this.levels, lane * LEVELS, this.units[lane], x);
    if (below !== 0) this.spillOf(lane).add(below);
  }

  /** Raises a lane's unit by `steps` levels; the levels that fall below the lowest are spilled. */
  private raiseUnit(lane: number, steps: number): void {
    const { levels } = this;
    const offset = lane * LEVELS;
    for (let j = Math.max(0, LEVELS - steps); j < LEVELS; j++) {
      if (levels[offset + j] !== 0) this.spillOf(lane).add(levels[offset + j]);
    }
    for (let j = LEVELS - 1; j >= 0; j--) levels[offset + j] = j >= steps ? levels[offset + j - steps] : 0;
    // 2^(32·steps) alone may overflow: build the new unit from its exponent.
    this.units[lane] = 2 ** (topBitExponent(this.units[lane]) + LEVEL_BITS * steps);
    // The old top level may hold up to 2^53 of its units: carry it into the new upper levels.
    carryLevels(levels, offset, this.units[lane]);
  }

  /** Carries every lane, and raises the unit of a lane whose top level has grown too large. */
  private carryAll(): void {
    const { levels, units } = this;
    for (let lane = 0; lane < this.lanes; lane++) {
      const offset = lane * LEVELS;
      carryLevels(levels, offset, units[lane]);
      if (Math.abs(levels[offset]) <= TOP_LIMIT * units[lane]) continue;
      if (topBitExponent(units[lane]) + LEVEL_BITS <= MAX_UNIT_EXPONENT) this.raiseUnit(lane, 1);
      else {
        this.spillOf(lane).add(levels[offset]);
        levels[offset] = 0;
      }
    }
    this.addsSinceCarry = 0;
  }

  private spillOf(lane: number): ExactSum {
    let spill = this.spills.get(lane);
    if (!spill) {
      spill = new ExactSum();
      this.spills.set(lane, spill);
    }
    return spill;
  }
}
