import { closest } from 'fastest-levenshtein';
import { SluiceError } from './errors.ts';
import type { DType } from './dtype.ts';

/** One column of a stream: its element type, its width (values per row) and its unit. */
export interface ColumnSchema {
  readonly name: string;
  readonly dtype: DType;
  /** 1 = a scalar per row; k = a k-vector per row, stored row-major. */
  readonly width: number;
  readonly unit?: string;
  /**
   * For a width-k column whose k values lie along an axis (a spectrum's frequencies): value j
   * of a row sits at `start + j * step` `unit`s.
   */
  readonly axis?: {
    readonly name: string;
    readonly unit?: string;
    readonly start: number;
    readonly step: number;
  };
}

/** Shared by every batch of a stream. */
export interface Schema {
  readonly columns: readonly ColumnSchema[];
  /** Samples per second of the rows, when the rows are a regularly sampled signal. */
  readonly sampleRate?: number;
  /**
   * The global row the analysis starts at (a source's startRow). Segmenting stages align
   * their segments to it, so a sub-range gives what numpy gives on that slice; a run split
   * into shards keeps the whole range's origin in every shard, so the shards merge exactly.
   */
  readonly origin?: number;
  /** Where the rows came from (a file path), for metadata in outputs. */
  readonly source?: string;
  /** Free-form key/value facts carried to writers' metadata. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export function findColumn(schema: Schema, name: string): ColumnSchema | undefined {
  return schema.columns.find((c) => c.name === name);
}

export function columnNames(schema: Schema): string[] {
  return schema.columns.map((c) => c.name);
}

/** The named column of `schema`; COLUMN_UNKNOWN, with the nearest name and the list, when absent. */
export function requireColumn(schema: Schema, name: string, stage: string): ColumnSchema {
  const column = findColumn(schema, name);
  if (column) return column;
  const available = columnNames(schema);
  const nearest = available.length ? closest(name, available) : undefined;
  throw new SluiceError('COLUMN_UNKNOWN', `${stage}: no column '${name}' in the input`, {
    subject: name,
    hint: available.length
      ? `Did you mean '${nearest}'? Available columns: ${available.join(', ')}.`
      : 'The input has no columns.',
  });
}

/** `names` checked against `schema`, or every column of it when `names` is absent. */
export function requireColumns(
  schema: Schema,
  names: readonly string[] | undefined,
  stage: string,
): ColumnSchema[] {
  return names ? names.map((name) => requireColumn(schema, name, stage)) : [...schema.columns];
}
