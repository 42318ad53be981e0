/**
 * Outputs filled in place by many writers at once (docs/design.md §8): the file is created
 * with its metadata and every row's place allocated, each writer (a worker thread of a local
 * run, a shard of a queued run) writes its row range at its offsets, and one rename at the end
 * gives the output its name. Which writer sinks can be written so is a format's fact, listed
 * in REGION_FORMATS; the local threads (sharded.ts) and the cluster (cluster/row-outputs.ts)
 * both use it.
 */
import { existsSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { requireColumns } from '../core/schema.ts';
import { createPandasTableRegion } from '../formats/hdf5/pandas-region.ts';
import { createContiguousColumns } from '../formats/hdf5/regions.ts';
import { isContiguous } from '../formats/hdf5/writer.ts';
import type { Hdf5WriteOptions } from '../formats/hdf5/writer.ts';
import { createNpyRecords } from '../formats/npy/regions.ts';
import { temporaryName } from '../io/atomic-file.ts';

/**
 * A byte range per row of some columns: row r of the run is at offset + r × rowBytes. One
 * region per column (HDF5 contiguous datasets), or one of packed records (NPY, a PyTables
 * table's rows): each record holds, in order, its row number when `rowNumber` is set (an int64,
 * `rowNumberBase` + r: a pandas table's index), then the values of `columns`.
 */
export interface RowRegion {
  readonly offset: number;
  readonly rowBytes: number;
  /** Indices into the output's columns, packed in this order in each row. */
  readonly columns: readonly number[];
  /** Each record starts with its row number as a little-endian int64. */
  readonly rowNumber?: boolean;
  /** The row number of the run's first row (0 when absent). */
  readonly rowNumberBase?: number;
}

/** An output being filled in place: the file under its temporary name, and where rows go. */
export interface RegionOutput {
  readonly kind: 'regions';
  /** The output's final name. */
  readonly out: string;
  /** The file being filled, beside `out` (same filesystem). */
  readonly temp: string;
  /** The output's columns, by name, in the order `RowRegion.columns` index. */
  readonly columns: readonly string[];
  readonly regions: readonly RowRegion[];
}

/**
 * A writer sink whose output can be filled in place. A format joins by adding one to
 * REGION_FORMATS: `accepts` says whether the sink's params lay rows out at fixed offsets once
 * the row count is known, `create` makes the file (metadata written, rows allocated).
 */
export interface RegionFormat {
  /** The sink stage's name (`hdf5`, `npy`). */
  readonly sink: string;
  /**
   * Whether a local run fills it on every thread by default (`workers` unset). False where the
   * one-thread writer was measured faster: the HDF5 writers stream their bytes behind the
   * compute with O_DIRECT, and two threads writing in place took 1.0–1.3× the one thread's time
   * with +50–70 MiB (EPOS 1.2 GB → reflectron, 2 cores). `workers: N` still asks for threads.
   */
  readonly threadedByDefault: boolean;
  accepts(params: Readonly<Record<string, unknown>>, rows: number): boolean;
  create(
    path: string,
    columns: readonly ColumnSchema[],
    schema: Schema,
    params: Readonly<Record<string, unknown>>,
    rows: number,
  ): Promise<RowRegion[]>;
}

const hdf5Columns: RegionFormat = {
  sink: 'hdf5',
  threadedByDefault: false,
  accepts: (params, rows) => {
    const options = params as unknown as Hdf5WriteOptions;
    return options.layout === 'columns' && isContiguous(options, rows);
  },
  create: async (path, columns, schema, params, rows) => {
    const made = await createContiguousColumns(
      path,
      columns,
      schema,
      params as unknown as Hdf5WriteOptions,
      rows,
    );
    return made.offsets.map((offset, c) => ({ offset, rowBytes: made.rowBytes[c], columns: [c] }));
  },
};

/** An uncompressed pandas table: its chunks back to back, each row a record led by its index. */
const hdf5Pandas: RegionFormat = {
  sink: 'hdf5',
  threadedByDefault: false,
  accepts: (params) => params.layout === 'pandas' && params.compression === 'none',
  create: async (path, columns, _schema, params, rows) => {
    const options = { key: String(params.key), chunkRows: Number(params.chunkRows) };
    const made = await createPandasTableRegion(path, columns, options, rows);
    return [
      { offset: made.offset, rowBytes: made.rowBytes, columns: columns.map((_, c) => c), rowNumber: true },
    ];
  },
};

const npyRecords: RegionFormat = {
  sink: 'npy',
  // Its one-thread writer goes through the page cache: two threads measured 0.6–0.85× its time.
  threadedByDefault: true,
  accepts: () => true,
  create: async (path, columns, _schema, _params, rows) => {
    const made = await createNpyRecords(path, columns, rows);
    return [{ ...made, columns: columns.map((_, c) => c) }];
  },
};

/** The writer sinks whose outputs many writers can fill in place. */
export const REGION_FORMATS: readonly RegionFormat[] = [hdf5Columns, hdf5Pandas, npyRecords];

/** The way to fill this sink's output in place, when the rows are known and it has one. */
export function regionFormatOf(
  sink: string,
  params: Readonly<Record<string, unknown>>,
  rows: number | undefined,
): RegionFormat | undefined {
  if (rows === undefined || typeof params.out !== 'string') return undefined;
  return REGION_FORMATS.find((f) => f.sink === sink && accepts(f, params, rows));
}

function accepts(format: RegionFormat, params: Readonly<Record<string, unknown>>, rows: number): boolean {
  try {
    return format.accepts(params, rows);
  } catch {
    return false; // params the sink itself refuses: it reports them when it is created
  }
}

/**
 * Creates the file `format` fills for the sink's `out`, at `temp` (by default a temporary name
 * beside it, one `removeStaleTemporaries` recognises), sized for `rows` rows.
 */
export async function createRegionOutput(
  format: RegionFormat,
  params: Readonly<Record<string, unknown>>,
  schema: Schema,
  rows: number,
  temp?: string,
): Promise<RegionOutput> {
  const out = params.out as string;
  const columns = requireColumns(schema, params.columns as string[] | undefined, format.sink);
  await mkdir(dirname(out), { recursive: true });
  const path = temp ?? join(dirname(out), temporaryName(basename(out)));
  const regions = await format.create(path, columns, schema, params, rows);
  return { kind: 'regions', out, temp: path, columns: columns.map((c) => c.name), regions };
}

/**
 * Gives a filled output its name: fsync (every writer's rows, whatever descriptor wrote them),
 * rename, fsync of the directory. An existing output is refused unless `overwrite`.
 */
export async function commitRegionOutput(output: RegionOutput, overwrite: boolean): Promise<void> {
  const handle = await open(output.temp, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  refuseExisting(output.out, overwrite);
  await rename(output.temp, output.out);
  await syncDirectory(dirname(output.out));
}

export function refuseExisting(path: string, overwrite: boolean): void {
  if (overwrite || !existsSync(path)) return;
  throw new SluiceError('OUTPUT_EXISTS', `output ${path} already exists`, { path, hint: 'use --overwrite' });
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is done either way.
  } finally {
    await handle.close();
  }
}
