/**
 * The `hdf5` sink's `layout: columns`: one dataset per column under a group, made with h5wasm.
 * Both storages share this: chunked (extensible, grown batch by batch, optionally gzip) and
 * contiguous (sized before the run and written straight to the file, see allocate.ts).
 */
import type { Dataset, File as H5File, Group } from 'h5wasm/node';
import type { DType } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import type { H5wasmModule } from '../../io/lazy.ts';

/** Where the column datasets go. */
export interface DatasetPlacement {
  readonly group: string;
  readonly vaex: boolean;
}

/** Chunked storage's options; absent for contiguous datasets. */
export interface ChunkedStorage {
  readonly chunkRows: number;
  readonly compression: 'none' | 'gzip';
  readonly compressionLevel: number;
}

/** The attribute that keeps a column's exact name when its dataset's name had to be escaped. */
export const NAME_ATTRIBUTE = 'name';

/**
 * A column name as one HDF5 link name: `/` separates groups in HDF5 paths, so it is written
 * `%2F` (and `%` as `%25`, so no two names collide): `m/n (Da)` → `m%2Fn (Da)`. The exact
 * name is kept in the dataset's `name` attribute, which the hdf5 source reads back.
 */
export function escapeDatasetName(name: string): string {
  return name.replace(/%/g, '%25').replace(/\//g, '%2F');
}

/** The dataset path of a column: one dataset, at one level, whatever its name holds. */
export function datasetPath(p: DatasetPlacement, name: string): string {
  const escaped = escapeDatasetName(name);
  if (p.vaex) return `/table/columns/${escaped}/data`;
  const group = p.group.endsWith('/') ? p.group : `${p.group}/`;
  return `${group.startsWith('/') ? '' : '/'}${group}${escaped}`;
}

/** Refuses dataset paths HDF5 cannot hold together: 'a' and 'a/b', or an empty name ('a/', 'a//b'). */
export function checkDatasetPaths(paths: readonly string[]): void {
  const datasets = new Set(paths);
  for (const path of paths) {
    const parts = path.split('/').slice(1);
    if (parts.some((part) => part === '')) {
      throw new SluiceError('PARAMS_INVALID', `hdf5: dataset path '${path}' has an empty name`, {
        hint: 'an HDF5 name cannot be empty: rename the column (derive or select), or give `group` without `//`',
      });
    }
    for (let i = 1; i < parts.length; i++) {
      const group = `/${parts.slice(0, i).join('/')}`;
      if (datasets.has(group)) throw nameClash(group);
    }
  }
}

/** h5wasm's type strings are Python struct codes. */
const H5_TYPES: Record<DType, string> = {
  int8: '<b',
  uint8: '<B',
  int16: '<h',
  uint16: '<H',
  int32: '<i',
  uint32: '<I',
  int64: '<q',
  uint64: '<Q',
  float32: '<f',
  float64: '<d',
};

/**
 * One empty dataset per column (0 rows; width-k columns (0, k)), with `unit` attributes, and
 * sampleRate and source as attributes of the group. Chunked datasets are extensible.
 */
export function createColumnDatasets(
  h5wasm: H5wasmModule,
  h5: H5File,
  columns: readonly ColumnSchema[],
  schema: Schema,
  p: DatasetPlacement,
  chunked: ChunkedStorage | undefined,
): Dataset[] {
  const datasets = columns.map((column) => {
    const path = datasetPath(p, column.name);
    const parent = ensureGroup(h5wasm, h5, path.slice(0, path.lastIndexOf('/')));
    const leaf = path.slice(path.lastIndexOf('/') + 1);
    if (parent.get(leaf) !== null) throw nameClash(path);
    const k = column.width;
    const dataset = parent.create_dataset({
      name: leaf,
      data: emptyOf(column.dtype),
      shape: k === 1 ? [0] : [0, k],
      dtype: H5_TYPES[column.dtype],
      ...(chunked ? chunkedOptions(chunked, k) : {}),
    });
    if (column.unit) dataset.create_attribute('unit', column.unit);
    if (leaf !== column.name && !p.vaex) dataset.create_attribute(NAME_ATTRIBUTE, column.name);
    if (p.vaex && escapeDatasetName(column.name) !== column.name)
      parent.create_attribute(NAME_ATTRIBUTE, column.name);
    return dataset;
  });
  const group = ensureGroup(h5wasm, h5, p.vaex ? '/table' : p.group.replace(/\/$/, '') || '/');
  if (schema.sampleRate !== undefined) group.create_attribute('sampleRate', schema.sampleRate);
  if (schema.source !== undefined) group.create_attribute('source', schema.source);
  return datasets;
}

function chunkedOptions(c: ChunkedStorage, k: number) {
  return {
    maxshape: k === 1 ? [null] : [null, k],
    chunks: k === 1 ? [c.chunkRows] : [Math.max(1, Math.floor(c.chunkRows / k)), k],
    ...(c.compression === 'gzip'
      ? { compression: 'gzip' as const, compression_opts: c.compressionLevel }
      : {}),
  };
}

/** The group at `path`, created with its parents when missing. */
function ensureGroup(h5wasm: H5wasmModule, h5: H5File, path: string): Group {
  let group: Group = h5;
  for (const part of path.split('/').filter(Boolean)) {
    const existing = group.get(part);
    if (existing !== null && !(existing instanceof h5wasm.Group)) throw nameClash(path);
    group = existing instanceof h5wasm.Group ? existing : group.create_group(part);
  }
  return group;
}

/** A column's dataset where `group` (or a column of the same name) is already something else. */
function nameClash(path: string): SluiceError {
  return new SluiceError('PARAMS_INVALID', `hdf5: '${path}' is needed both as a dataset and as a group`, {
    hint: 'choose a `group` that no column dataset is named after',
  });
}

function emptyOf(dtype: DType) {
  switch (dtype) {
    case 'int64':
      return new BigInt64Array(0);
    case 'uint64':
      return new BigUint64Array(0);
    default:
      return new Float64Array(0);
  }
}
