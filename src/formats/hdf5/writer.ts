/**
 * HDF5, the writer side: which encoder writes a table, given its options and whether the row
 * count is known. `layout: columns` writes one dataset per column (columns-writer.ts),
 * contiguous when it can be, else chunked; `layout: pandas` the PyTables table pandas reads,
 * sized before the run when it can be (pandas-region.ts), else through h5wasm (pandas-table.ts).
 */
import { SluiceError } from '../../core/errors.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { createAtomicFile } from '../../io/atomic-file.ts';
import { loadH5wasm } from '../../io/lazy.ts';
import { ChunkedColumnsEncoder, ContiguousColumnsEncoder } from './columns-writer.ts';
import type { ChunkedStorage, DatasetPlacement } from './datasets.ts';
import { checkDatasetPaths, datasetPath } from './datasets.ts';
import type { PandasTableOptions } from './pandas-table.ts';
import { PandasRecordsEncoder } from './pandas-region.ts';
import { PandasTableEncoder, pandasFields } from './pandas-table.ts';
import type { TableEncoder, WriteTarget } from '../table-encoder.ts';

export interface Hdf5WriteOptions extends DatasetPlacement, ChunkedStorage, PandasTableOptions {
  /** columns: one dataset per column (h5py, vaex); pandas: the table pandas.read_hdf reads. */
  readonly layout: 'columns' | 'pandas';
  /** layout columns: contiguous needs the row count in advance and no compression. */
  readonly storage: 'auto' | 'contiguous' | 'chunked';
}

export const HDF5_WRITE_DEFAULTS: Hdf5WriteOptions = {
  layout: 'columns',
  group: '/',
  vaex: false,
  key: 'df',
  storage: 'auto',
  chunkRows: 65536,
  compression: 'none',
  compressionLevel: 4,
};

/** Opens `path` (a temporary file until `finish`) for rows of `columns` of `schema`. */
export async function openHdf5Writer(
  path: string,
  columns: readonly ColumnSchema[],
  schema: Schema,
  options: Hdf5WriteOptions,
  target: WriteTarget,
): Promise<TableEncoder> {
  checkHdf5Columns(columns, options);
  const file = await createAtomicFile(path, { overwrite: target.overwrite });
  try {
    return await openEncoder(file, columns, schema, options, target.rows);
  } catch (error) {
    await file.abort();
    throw error;
  }
}

/**
 * Refuses column names the layout cannot hold, and options that contradict each other
 * (contiguous storage with compression), as a PARAMS_INVALID SluiceError: before the run.
 */
export function checkHdf5Columns(
  columns: readonly ColumnSchema[],
  options: Pick<Hdf5WriteOptions, 'layout' | 'group' | 'vaex'> &
    Partial<Pick<Hdf5WriteOptions, 'storage' | 'compression'>>,
): void {
  if (options.layout === 'pandas') pandasFields(columns);
  else checkDatasetPaths(columns.map((c) => datasetPath(options, c.name)));
  if (
    options.layout === 'columns' &&
    options.storage === 'contiguous' &&
    (options.compression ?? 'none') !== 'none'
  ) {
    isContiguous({ storage: 'contiguous', compression: options.compression ?? 'none' }, undefined);
  }
}

/** Whether `layout: columns` writes contiguous datasets, given the row count if known. */
export function isContiguous(
  options: Pick<Hdf5WriteOptions, 'storage' | 'compression'>,
  rows: number | undefined,
): boolean {
  if (options.storage === 'chunked') return false;
  const possible = rows !== undefined && options.compression === 'none';
  if (options.storage === 'auto' || possible) return possible;
  throw new SluiceError(
    'PARAMS_INVALID',
    'hdf5: storage contiguous needs the row count before the run, and no compression',
    {
      hint:
        options.compression !== 'none'
          ? 'gzip needs chunked storage: drop compression, or use storage: chunked'
          : 'a step before this sink changes the number of rows (filter, segment); use storage: chunked',
    },
  );
}

/**
 * h5wasm is loaded into this thread only for the encoders that write through it: the tables
 * sized before the run (contiguous columns, an uncompressed pandas table with the row count
 * known) get their metadata from h5wasm on a short-lived thread and their rows from sluice.
 */
async function openEncoder(
  file: AtomicFile,
  columns: readonly ColumnSchema[],
  schema: Schema,
  options: Hdf5WriteOptions,
  rows: number | undefined,
): Promise<TableEncoder> {
  if (options.layout === 'columns' && isContiguous(options, rows))
    return ContiguousColumnsEncoder.open(file, columns, schema, options, rows ?? 0);
  if (options.layout === 'pandas' && rows !== undefined && options.compression === 'none')
    return PandasRecordsEncoder.open(file, columns, options, rows);
  const h5wasm = await loadH5wasm();
  if (options.layout === 'pandas') return PandasTableEncoder.open(h5wasm, file, columns, options);
  return new ChunkedColumnsEncoder(h5wasm, file, columns, schema, options);
}
