/**
 * What a fuzz input should give, and the checks of what it gave. A reference decoder (written
 * here from each format's definition, not from sluice's code) turns a file into per-column
 * expected statistics: count, NaN count, min, max exactly, the mean within 1e-9 of the mean of
 * |x| (the bound any summation order meets). Where no reference is cheap, the checks are of
 * consistency: counts add up to rows × width, min ≤ mean ≤ max.
 */
import type { ColumnStats, StatsResult } from '../../src/sinks/stats.ts';

export interface ExpectedColumn {
  readonly count: number;
  readonly nanCount: number;
  readonly min?: number | bigint;
  readonly max?: number | bigint;
  /** The mean; NaN for +∞ and −∞ among the values, ±∞ for one of them (`infinite`). */
  readonly mean?: number;
  readonly infinite?: boolean;
  /** Σ|x| / count: the scale of the mean's tolerance (∞ when the sum overflows). */
  readonly meanAbs: number;
}

/** `values`: success must give these; `refuse`: only a typed error passes; `consistent`: either. */
export type Expectation =
  | { readonly kind: 'values'; readonly rows: number; readonly columns: Record<string, ExpectedColumn> }
  | { readonly kind: 'refuse'; readonly reason: string }
  | { readonly kind: 'consistent'; readonly reason: string };

/** Adds values one by one (numbers or bigints) into an ExpectedColumn. */
export class ColumnExpectation {
  private count = 0;
  private nanCount = 0;
  private min?: number | bigint;
  private max?: number | bigint;
  private sum = 0;
  private compensation = 0;
  private absSum = 0;
  private posInf = false;
  private negInf = false;

  add(value: number | bigint): void {
    if (typeof value === 'number' && Number.isNaN(value)) {
      this.nanCount++;
      return;
    }
    this.count++;
    if (this.min === undefined || value < this.min) this.min = value;
    if (this.max === undefined || value > this.max) this.max = value;
    const x = Number(value);
    if (x === Infinity) this.posInf = true;
    else if (x === -Infinity) this.negInf = true;
    else {
      // Neumaier's sum: the reference mean is accurate whatever the order of the values.
      const t = this.sum + x;
      this.compensation += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
      this.sum = t;
      this.absSum += Math.abs(x);
    }
  }

  result(): ExpectedColumn {
    const { count, nanCount, min, max } = this;
    if (count === 0) return { count, nanCount, meanAbs: 0 };
    const meanAbs = this.absSum / count;
    if (this.posInf || this.negInf) {
      const mean = this.posInf && this.negInf ? NaN : this.posInf ? Infinity : -Infinity;
      return { count, nanCount, min, max, mean, infinite: true, meanAbs };
    }
    return { count, nanCount, min, max, mean: (this.sum + this.compensation) / count, meanAbs };
  }
}

/** A JSON number of the stats sink back to a number or an exact bigint. */
function fromJson(value: number | string | null): number | bigint | null {
  if (value === null || typeof value === 'number') return value;
  if (/^-?\d+$/.test(value)) return BigInt(value);
  return Number(value);
}

function sameValue(actual: number | bigint | null, expected: number | bigint | undefined): boolean {
  if (actual === null || expected === undefined) return actual === null && expected === undefined;
  if (typeof expected === 'bigint' || typeof actual === 'bigint') {
    try {
      return BigInt(actual) === BigInt(expected);
    } catch {
      return false;
    }
  }
  return actual === expected;
}

function meanMatches(actual: number | bigint | null, e: ExpectedColumn): boolean {
  if (e.mean === undefined) return actual === null;
  const a = Number(actual);
  if (e.infinite && !Number.isFinite(e.meanAbs)) return !Number.isFinite(a); // ∞ and an overflowing sum: NaN or ±∞
  if (e.infinite) return Object.is(a, e.mean) || (Number.isNaN(a) && Number.isNaN(e.mean));
  if (!Number.isFinite(e.meanAbs)) {
    // Σ|x| overflows: a float64 running sum may overflow too (numpy's does), an exact one not.
    return !Number.isFinite(a) || (a >= Number(e.min) && a <= Number(e.max));
  }
  return Math.abs(a - e.mean) <= 1e-9 * e.meanAbs + 1e-300;
}

/** The first difference between expected and actual statistics; undefined when they agree. */
export function compareStats(
  expected: Record<string, ExpectedColumn>,
  actual: Readonly<Record<string, ColumnStats>>,
): string | undefined {
  const [e, a] = [Object.keys(expected).sort(), Object.keys(actual).sort()];
  if (e.join('\u0000') !== a.join('\u0000')) {
    return `columns ${JSON.stringify(a).slice(0, 200)}, expected ${JSON.stringify(e).slice(0, 200)}`;
  }
  for (const name of e) {
    const x = expected[name];
    const s = actual[name];
    const problems: string[] = [];
    if (s.count !== x.count) problems.push(`count ${s.count} ≠ ${x.count}`);
    if (s.nanCount !== x.nanCount) problems.push(`nanCount ${s.nanCount} ≠ ${x.nanCount}`);
    if (!sameValue(fromJson(s.min), x.min)) problems.push(`min ${s.min} ≠ ${x.min}`);
    if (!sameValue(fromJson(s.max), x.max)) problems.push(`max ${s.max} ≠ ${x.max}`);
    if (!meanMatches(fromJson(s.mean), x)) problems.push(`mean ${s.mean} ≠ ${x.mean}`);
    if (problems.length) return `column '${name}': ${problems.join(', ')}`;
  }
  return undefined;
}

/**
 * Counts that add up (count + nanCount = rows × width for every column) and a mean between min
 * and max: what any correct reader gives, whatever the bytes were.
 */
export function checkConsistent(
  result: StatsResult,
  rows: number,
  widths: Readonly<Record<string, number>> | undefined,
): string | undefined {
  if (!Number.isSafeInteger(rows) || rows < 0) return `rows ${rows}`;
  for (const [name, s] of Object.entries(result.columns)) {
    const values = s.count + s.nanCount;
    // Without the schema (inspect failed), any whole number of values per row will do.
    const width = widths?.[name] ?? (rows > 0 && values % rows === 0 ? values / rows : 1);
    if (values !== rows * width) {
      return `column '${name}': count ${s.count} + nanCount ${s.nanCount} ≠ ${rows} rows × width ${width}`;
    }
    if (s.count === 0) {
      if (s.min !== null || s.max !== null || s.mean !== null)
        return `column '${name}': no values but a min/max/mean`;
      continue;
    }
    const [min, max, mean] = [fromJson(s.min), fromJson(s.max), Number(fromJson(s.mean))];
    if (min === null || max === null) return `column '${name}': ${s.count} values but no min/max`;
    if (min > max) return `column '${name}': min ${s.min} > max ${s.max}`;
    const [lo, hi] = [Number(min), Number(max)];
    const slack = 1e-9 * Math.max(Math.abs(lo), Math.abs(hi));
    if (Number.isFinite(lo) && Number.isFinite(hi) && !(mean >= lo - slack && mean <= hi + slack)) {
      return `column '${name}': mean ${s.mean} outside [${s.min}, ${s.max}]`;
    }
  }
  return undefined;
}
