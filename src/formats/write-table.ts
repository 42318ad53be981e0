/**
 * Writes a table through the format writer its path's extension names: a finished result
 * table (an accumulator's named typed-array columns: a PSD's frequencies and power, a
 * histogram's edges and counts) at once with `writeTable`, atomically; or rows as they come
 * through the TableEncoder `writerForPath(path).open` returns (a spectrogram's time slices).
 */
import type { Column } from '../core/batch.ts';
import type { TypedArray } from '../core/dtype.ts';
import { dtypeOf } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import type { ArrowWriteOptions } from './arrow/writer.ts';
import { ARROW_WRITE_DEFAULTS, openArrowWriter } from './arrow/writer.ts';
import type { CsvWriteOptions } from './csv/writer.ts';
import { CSV_WRITE_DEFAULTS, openCsvWriter } from './csv/writer.ts';
import type { Hdf5WriteOptions } from './hdf5/writer.ts';
import { HDF5_WRITE_DEFAULTS, checkHdf5Columns, openHdf5Writer } from './hdf5/writer.ts';
import { openNpyWriter } from './npy/writer.ts';
import type { ParquetWriteOptions } from './parquet/writer.ts';
import { PARQUET_WRITE_DEFAULTS, openParquetWriter } from './parquet/writer.ts';
import type { ColumnChunk, TableEncoder, WriteTarget } from './table-encoder.ts';

export type TableFormat = 'parquet' | 'arrow' | 'hdf5' | 'npy' | 'csv';

/** Options beyond each format's defaults; a writer reads only its own format's. */
export interface TableWriteOptions {
  readonly parquet?: Partial<ParquetWriteOptions>;
  readonly arrow?: Partial<ArrowWriteOptions>;
  readonly hdf5?: Partial<Hdf5WriteOptions>;
  readonly csv?: Partial<CsvWriteOptions>;
}

/** One format's table writer. */
export interface TableWriter {
  readonly format: TableFormat;
  /** Throws for columns the format cannot hold with these options, before anything is opened. */
  check(columns: readonly ColumnSchema[], options: TableWriteOptions): void;
  /** Opens the output (temporary until the encoder's `finish`) for rows of `columns` of `schema`. */
  open(
    path: string,
    columns: readonly ColumnSchema[],
    schema: Schema,
    options: TableWriteOptions,
    target: WriteTarget,
  ): Promise<TableEncoder>;
}

export interface WriteTableOptions {
  readonly overwrite?: boolean;
  /** Units, sampleRate, source... carried to the output's metadata. */
  readonly schema?: Omit<Schema, 'columns'> & { readonly units?: Readonly<Record<string, string>> };
  /** Format options (compression, layout, ...) beyond the defaults. */
  readonly formatOptions?: TableWriteOptions;
}

const WRITERS: Record<TableFormat, TableWriter> = {
  parquet: {
    format: 'parquet',
    check: () => undefined,
    open: (path, columns, schema, o, target) =>
      openParquetWriter(path, columns, schema, { ...PARQUET_WRITE_DEFAULTS, ...o.parquet }, target),
  },
  arrow: {
    format: 'arrow',
    check: () => undefined,
    open: (path, columns, schema, o, target) =>
      openArrowWriter(path, columns, schema, { ...ARROW_WRITE_DEFAULTS, ...o.arrow }, target),
  },
  hdf5: {
    format: 'hdf5',
    check: (columns, o) => checkHdf5Columns(columns, { ...HDF5_WRITE_DEFAULTS, ...o.hdf5 }),
    open: (path, columns, schema, o, target) =>
      openHdf5Writer(path, columns, schema, { ...HDF5_WRITE_DEFAULTS, ...o.hdf5 }, target),
  },
  npy: {
    format: 'npy',
    check: () => undefined,
    open: (path, columns, _schema, _o, target) => openNpyWriter(path, columns, target),
  },
  csv: {
    format: 'csv',
    check: () => undefined,
    open: (path, columns, _schema, o, target) =>
      openCsvWriter(path, columns, { ...CSV_WRITE_DEFAULTS, ...o.csv }, target),
  },
};

/** The extensions a table writer takes (lower case, with the dot). */
export const TABLE_EXTENSIONS = [
  '.parquet',
  '.arrow',
  '.feather',
  '.arrows',
  '.h5',
  '.hdf5',
  '.npy',
  '.csv',
] as const;

const BY_EXTENSION: Readonly<Record<string, TableFormat>> = {
  '.parquet': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.arrows': 'arrow',
  '.h5': 'hdf5',
  '.hdf5': 'hdf5',
  '.npy': 'npy',
  '.csv': 'csv',
} satisfies Record<(typeof TABLE_EXTENSIONS)[number], TableFormat>;

/** The writer for a path's extension, or undefined (the caller then writes JSON). */
export function writerForPath(path: string): TableWriter | undefined {
  const dot = path.lastIndexOf('.');
  const format = dot < 0 ? undefined : BY_EXTENSION[path.slice(dot).toLowerCase()];
  return format && WRITERS[format];
}

/** Writes `table` (equal-row columns; a bare typed array is width 1) to `path`. */
export async function writeTable(
  path: string,
  table: Readonly<Record<string, TypedArray | Column>>,
  options: WriteTableOptions = {},
): Promise<void> {
  const writer = writerForPath(path);
  if (!writer) {
    throw new SluiceError('FORMAT_UNKNOWN', `no table writer for ${path}`, {
      path,
      hint: `use one of ${TABLE_EXTENSIONS.join(', ')} (or .json)`,
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
  const encoder = await writer.open(path, schema.columns, schema, options.formatOptions ?? {}, {
    overwrite: options.overwrite ?? false,
    rows,
  });
  const chunks: ColumnChunk[] = schema.columns.map((column) => ({ column, data: columns[column.name].data }));
  try {
    if (rows > 0) await encoder.write(chunks, rows);
    await encoder.finish();
  } catch (error) {
    // The partial output goes before the failure is reported.
    await encoder.abort().catch(() => undefined);
    throw error;
  }
}
