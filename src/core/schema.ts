import type { DType } from './dtype.ts';

/** One column of a stream: its element type, its width (values per row) and its unit. */
export interface ColumnSchema {
  readonly name: string;
  readonly dtype: DType;
  /** 1 = a scalar per row; k = a k-vector per row, stored row-major. */
  readonly width: number;
  readonly unit?: string;
}

/** Shared by every batch of a stream. */
export interface Schema {
  readonly columns: readonly ColumnSchema[];
  /** Samples per second of the rows, when the rows are a regularly sampled signal. */
  readonly sampleRate?: number;
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
