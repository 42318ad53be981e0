/**
 * CSV fields as numbers, the way pandas.read_csv reads them: decimal integers and floats,
 * `nan`/`NaN`/`NA`/`null`/empty (pandas' default NA strings) as a missing value, `inf` and
 * `-inf` (any case, or Infinity), `true`/`false` (any case) as booleans. A column's type is
 * inferred from a sample of rows as pandas infers it: all integers → int64, integers with a
 * missing value or any float → float64, all booleans → bool (uint8 0/1), anything else is text,
 * which sluice does not read.
 */
import type { DType } from '../../core/dtype.ts';

/** pandas' default `na_values`. */
const NA_STRINGS = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)(?:inf|infinity)$/i;

/** What a field holds. */
export type FieldKind = 'missing' | 'integer' | 'float' | 'bool' | 'text';

export function kindOf(raw: string): FieldKind {
  const text = raw.trim();
  if (NA_STRINGS.has(text)) return 'missing';
  if (INTEGER.test(text)) return 'integer';
  if (FLOAT.test(text) || INFINITY.test(text)) return 'float';
  if (/^(true|false)$/i.test(text)) return 'bool';
  return 'text';
}

/** The dtype pandas would give a column whose sampled fields are of these kinds; undefined for text. */
export function inferDtype(kinds: ReadonlySet<FieldKind>): DType | undefined {
  if (kinds.has('text')) return undefined;
  if (kinds.has('bool')) return kinds.size === 1 ? 'uint8' : undefined;
  if (kinds.has('float') || kinds.has('missing')) return 'float64';
  return 'int64';
}

/** The float a field holds: NaN for a missing value; undefined when it is no number. */
export function parseFloatField(raw: string): number | undefined {
  const text = raw.trim();
  if (NA_STRINGS.has(text)) return NaN;
  if (FLOAT.test(text)) return Number(text);
  const inf = INFINITY.exec(text);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

/** The integer a field holds; null for a missing value, undefined when it is no integer. */
export function parseIntegerField(raw: string): bigint | null | undefined {
  const text = raw.trim();
  if (NA_STRINGS.has(text)) return null;
  if (INTEGER.test(text)) return BigInt(text);
  if (/^(true|false)$/i.test(text)) return /^t/i.test(text) ? 1n : 0n;
  return undefined;
}
