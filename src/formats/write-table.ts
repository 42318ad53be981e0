/**
 * Writes a finished result table (an accumulator's named typed-array columns: a PSD's
 * frequencies and power, a histogram's edges and counts) through the writer its path's
 * extension names, atomically. For accumulator sinks whose `out` is `.parquet`, `.arrow`,
 * `.h5`, `.npy` or `.csv` rather than JSON.
 */
import type { Batch, Column } from '../core/batch.ts';
import type { TypedArray } from '../core/dtype.ts';
import { dtypeOf } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import type { SinkStage } from '../core/stage.ts';
import arrow from '../sinks/arrow.ts';
import csv from '../sinks/csv.ts';
import hdf5 from '../sinks/hdf5.ts';
import npy from '../sinks/npy.ts';
import parquet from '../sinks/parquet.ts';

export interface WriteTableOptions {
  readonly overwrite?: boolean;
  /** Units, sampleRate, source... carried to the output's metadata. */
  readonly schema?: Omit<Schema, 'columns'> & { readonly units?: Readonly<Record<string, string>> };
  /** Writer params beyond `out` (compression, layout, ...). */
  readonly params?: Readonly<Record<string, unknown>>;
}

const BY_EXTENSION: Record<string, SinkStage> = {
  '.parquet': parquet,
  '.arrow': arrow,
  '.feather': arrow,
  '.arrows': arrow,
  '.h5': hdf5,
  '.hdf5': hdf5,
  '.npy': npy,
  '.csv': csv,
};

/** The writer for a path's extension, or undefined (the caller then writes JSON). */
export function writerForPath(path: string): SinkStage | undefined {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? undefined : BY_EXTENSION[path.slice(dot).toLowerCase()];
}

/** Writes `table` (equal-row columns; a bare typed array is width 1) to `path`. */
export async function writeTable(
  path: string,
  table: Readonly<Record<string, TypedArray | Column>>,
  options: WriteTableOptions = {},
): Promise<void> {
  const stage = writerForPath(path);
  if (!stage) {
    throw new SluiceError('FORMAT_UNKNOWN', `no table writer for ${path}`, {
      path,
      hint: `use one of ${Object.keys(BY_EXTENSION).join(', ')} (or .json)`,
    });
  }
  const columns: Record<string, Column> = {};
  for (const [name, value] of Object.entries(table)) {
    columns[name] = 'width' in value && 'data' in value ? value : { data: value, width: 1 };
  }
  const rowCounts = Object.values(columns).map((c) => c.data.length / c.width);
  const rows = rowCounts[0] ?? 0;
  if (rowCounts.some((n) => n !== rows)) {
    throw new SluiceError('ROWS_MISMATCH', `writeTable ${path}: columns of different lengths`, { path });
  }
  const { units, ...rest } = options.schema ?? {};
  const schema: Schema = {
    ...rest,
    columns: Object.entries(columns).map(([name, c]) => ({
      name,
      dtype: dtypeOf(c.data),
      width: c.width,
      ...(units?.[name] ? { unit: units[name] } : {}),
    })),
  };
  const params = stage.params.parse({ ...options.params, out: path });
  const sink = await stage.create(params, {
    schema,
    signal: new AbortController().signal,
    log: () => {},
    overwrite: options.overwrite ?? false,
    rows,
  });
  const batch: Batch = { schema, columns, rows, start: 0, history: 0 };
  try {
    await sink.write(batch);
    await sink.finish();
  } catch (error) {
    await sink.abort();
    throw error;
  }
}
