/**
 * An exact sum of doubles: a BigInt fixed-point number `mantissa · 2^exponent` whose exponent
 * drops to the lowest bit ever added, plus counts of the NaN and infinite inputs, which are kept
 * apart and never poison the finite part. Addition of exact values is associative and
 * commutative, so any split of the inputs and any order or grouping of merges gives the same
 * value, and the same bits once rounded.
 *
 * Each add() allocates a BigInt (a few hundred ns): this is the exact store behind the fast
 * kernels, which gather thousands or millions of values in float64 bins first and flush only
 * the bins here. For a hot per-value loop use ExactSumVector (it has a fast path per lane).
 */
import type { ScaledInteger } from './exact-rounding.ts';
import {
  alignScaled,
  decomposeDouble,
  roundedQuotient,
  roundToDouble,
  trailingZeros,
} from './exact-rounding.ts';

/** A plain, structured-clone and JSON friendly copy of an ExactSum. */
export interface ExactSumState {
  /** The finite part's mantissa as a signed hexadecimal string ("-1f", "0"). */
  readonly mantissa: string;
  /** The finite part is `mantissa · 2^exponent`. */
  readonly exponent: number;
  readonly nanCount: number;
  readonly posInfCount: number;
  readonly negInfCount: number;
}

const parts = { mantissa: 0, exponent: 0 };

export class ExactSum {
  /** The finite part is `mantissa · 2^exponent`; `exponent` is meaningless while it is 0. */
  private mantissa = 0n;
  private exponent = 0;
  nanCount = 0;
  posInfCount = 0;
  negInfCount = 0;

  /** Adds x (NaN and ±Infinity are counted, not summed). */
  add(x: number): void {
    this.addScaled(x, 0);
  }

  /** Adds x · 2^power exactly, for values a double could not hold (x finite or not). */
  addScaled(x: number, power: number): void {
    if (x === 0) return;
    if (!Number.isFinite(x)) {
      if (x !== x) this.nanCount++;
      else if (x > 0) this.posInfCount++;
      else this.negInfCount++;
      return;
    }
    decomposeDouble(x, parts);
    this.addInteger(BigInt(parts.mantissa), parts.exponent + power);
  }

  /** Adds value · 2^power exactly. */
  addInteger(value: bigint, power = 0): void {
    if (value === 0n) return;
    if (this.mantissa === 0n) {
      this.mantissa = value;
      this.exponent = power;
    } else if (power >= this.exponent) {
      this.mantissa += value << BigInt(power - this.exponent);
    } else {
      this.mantissa = (this.mantissa << BigInt(this.exponent - power)) + value;
      this.exponent = power;
    }
  }

  /** Adds everything `other` holds; `other` is left as it was. */
  merge(other: ExactSum): void {
    this.addInteger(other.mantissa, other.exponent);
    this.nanCount += other.nanCount;
    this.posInfCount += other.posInfCount;
    this.negInfCount += other.negInfCount;
  }

  /** Subtracts the finite part of `other` (its non-finite counts are not touched). */
  subtractFinite(other: ExactSum): void {
    this.addInteger(-other.mantissa, other.exponent);
  }

  /** The exact finite part. */
  finite(): ScaledInteger {
    return { mantissa: this.mantissa, exponent: this.exponent };
  }

  /** -1, 0 or 1 as the finite part is below, equal to or above that of `other`. */
  compareFinite(other: ExactSum): -1 | 0 | 1 {
    const [a, b] = alignScaled(this.finite(), other.finite());
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** True when NaN or an infinity was added. */
  hasNonFinite(): boolean {
    return this.nanCount + this.posInfCount + this.negInfCount > 0;
  }

  /**
   * The sum correctly rounded to a double (ties to even), as IEEE addition of the inputs
   * would give with infinite precision: NaN when a NaN or both infinities were added, ±Infinity
   * for one infinity, ±Infinity when the finite sum is too large for a double, +0 for an exact 0.
   */
  toNumber(): number {
    const special = this.nonFiniteResult();
    return special ?? roundToDouble(this.mantissa, this.exponent);
  }

  /** sum / count correctly rounded, for a positive integer count (NaN/±Infinity as toNumber). */
  roundedDivide(count: number | bigint): number {
    const special = this.nonFiniteResult();
    if (special !== undefined) return special;
    return roundedQuotient(this.mantissa, this.exponent, BigInt(count));
  }

  /** A plain copy; the mantissa is normalised (no trailing zero bits) so equal sums give equal states. */
  toState(): ExactSumState {
    let { mantissa, exponent } = this;
    if (mantissa === 0n) exponent = 0;
    else {
      const zeros = trailingZeros(mantissa);
      mantissa >>= BigInt(zeros);
      exponent += zeros;
    }
    const hex = mantissa < 0n ? `-${(-mantissa).toString(16)}` : mantissa.toString(16);
    const { nanCount, posInfCount, negInfCount } = this;
    return { mantissa: hex, exponent, nanCount, posInfCount, negInfCount };
  }

  static fromState(state: ExactSumState): ExactSum {
    const sum = new ExactSum();
    const text = state.mantissa;
    const magnitude = BigInt(`0x${text.startsWith('-') ? text.slice(1) : text}`);
    sum.mantissa = text.startsWith('-') ? -magnitude : magnitude;
    sum.exponent = state.exponent;
    sum.nanCount = state.nanCount;
    sum.posInfCount = state.posInfCount;
    sum.negInfCount = state.negInfCount;
    return sum;
  }

  /** The result IEEE arithmetic gives when non-finite inputs were added, else undefined. */
  private nonFiniteResult(): number | undefined {
    if (this.nanCount > 0 || (this.posInfCount > 0 && this.negInfCount > 0)) return NaN;
    if (this.posInfCount > 0) return Infinity;
    if (this.negInfCount > 0) return -Infinity;
    return undefined;
  }
}
