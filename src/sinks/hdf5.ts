import type { Dataset, File as H5File, Group } from 'h5wasm/node';
import { z } from 'zod';
import type { DType } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import type { AtomicFile } from '../io/atomic-file.ts';
import { createAtomicFile } from '../io/atomic-file.ts';
import type { H5wasmModule } from '../io/lazy.ts';
import { loadH5wasm } from '../io/lazy.ts';
import { PandasTableEncoder, pandasFields } from './util/pandas-table.ts';
import type { ColumnChunk, TableEncoder } from './util/table-writer.ts';
import { createWriterSink, selectColumns, writerFields } from './util/table-writer.ts';

const params = z
  .object({
    ...writerFields,
    layout: z
      .enum(['columns', 'pandas'])
      .default('columns')
      .describe(
        'columns: one extensible chunked dataset per column (h5py, vaex); pandas: the PyTables table that pandas.HDFStore.append(key, df, format="table", data_columns=True) writes (pandas.read_hdf); width-k columns become k columns <name>_0…',
      ),
    group: z
      .string()
      .min(1)
      .default('/')
      .describe('Group the column datasets go under (layout columns); created with its parents.'),
    vaex: z
      .boolean()
      .default(false)
      .describe(
        'Name datasets as vaex does, `/table/columns/<name>/data` (layout columns); overrides group.',
      ),
    key: z
      .string()
      .min(1)
      .default('df')
      .describe('The pandas key (layout pandas): the table is /<key>/table.'),
    chunkRows: z
      .number()
      .int()
      .min(1)
      .default(65536)
      .describe('Rows per HDF5 chunk of each dataset (the unit of compression and of partial reads).'),
    compression: z
      .enum(['none', 'gzip'])
      .default('none')
      .describe('gzip (deflate) filter on every dataset; none is several times faster to write.'),
    compressionLevel: z
      .number()
      .int()
      .min(0)
      .max(9)
      .default(4)
      .describe('gzip level, as h5py compression_opts.'),
  })
  .strict()
  .describe(
    'Writes HDF5 with h5wasm straight to disk: per column one extensible, chunked dataset (width-k columns ' +
      '2-D (rows, k)), grown batch by batch, optional gzip, units as `unit` attributes, sampleRate and source ' +
      'as attributes of the group.',
  );

export type Hdf5Params = z.output<typeof params>;

export default defineStage({
  name: 'hdf5',
  kind: 'sink',
  params,
  outputs: (p) => [p.out],
  check: (p, schema) => void hdf5Columns(p, schema),
  create: async (p, ctx) => {
    const columns = hdf5Columns(p, ctx.schema);
    const h5wasm = await loadH5wasm();
    const file = await createAtomicFile(p.out, { overwrite: ctx.overwrite });
    try {
      const encoder =
        p.layout === 'pandas'
          ? await PandasTableEncoder.open(h5wasm, file, columns, p)
          : new Hdf5ColumnsEncoder(h5wasm, file, columns, ctx.schema, p);
      return createWriterSink([p.out], columns, encoder);
    } catch (error) {
      await file.abort();
      throw error;
    }
  },
});

export function hdf5Columns(p: Hdf5Params, schema: Schema): ColumnSchema[] {
  const columns = selectColumns(schema, p.columns, 'hdf5');
  if (p.layout === 'pandas')
    pandasFields(columns); // throws for names pandas cannot take
  else checkDatasetPaths(columns.map((c) => datasetPath(p, c.name)));
  return columns;
}

/** Refuses dataset paths HDF5 cannot hold together: 'a' and 'a/b', or an empty name ('a/', 'a//b'). */
export function checkDatasetPaths(paths: readonly string[]): void {
  const datasets = new Set(paths);
  for (const path of paths) {
    const parts = path.split('/').slice(1);
    if (parts.some((part) => part === '')) {
      throw new SluiceError('PARAMS_INVALID', `hdf5: dataset path '${path}' has an empty name`, {
        hint: "a '/' in a column name is an HDF5 group separator; rename the columns with a select step",
      });
    }
    for (let i = 1; i < parts.length; i++) {
      const group = `/${parts.slice(0, i).join('/')}`;
      if (datasets.has(group)) throw nameClash(group);
    }
  }
}

/** The dataset path of a column. */
export function datasetPath(p: Pick<Hdf5Params, 'group' | 'vaex'>, name: string): string {
  if (p.vaex) return `/table/columns/${name}/data`;
  const group = p.group.endsWith('/') ? p.group : `${p.group}/`;
  return `${group.startsWith('/') ? '' : '/'}${group}${name}`;
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
 * h5wasm's Node build writes through the real filesystem (NODERAWFS), so the file at the
 * temporary path grows on disk batch by batch and memory holds only HDF5's chunk cache.
 */
class Hdf5ColumnsEncoder implements TableEncoder {
  private readonly h5: H5File;
  private readonly datasets: Dataset[] = [];
  private rows = 0;
  private closed = false;

  constructor(
    h5wasm: H5wasmModule,
    private readonly file: AtomicFile,
    private readonly columns: readonly ColumnSchema[],
    schema: Schema,
    p: Hdf5Params,
  ) {
    this.h5 = new h5wasm.File(file.tempPath, 'w');
    try {
      this.createDatasets(h5wasm, schema, p);
    } catch (error) {
      this.close(); // abort() is never called for an encoder that was not built
      throw error;
    }
  }

  private createDatasets(h5wasm: H5wasmModule, schema: Schema, p: Hdf5Params): void {
    for (const column of this.columns) {
      const path = datasetPath(p, column.name);
      const parent = ensureGroup(h5wasm, this.h5, path.slice(0, path.lastIndexOf('/')));
      const leaf = path.slice(path.lastIndexOf('/') + 1);
      if (parent.get(leaf) !== null) throw nameClash(path);
      const k = column.width;
      const dataset = parent.create_dataset({
        name: leaf,
        data: emptyOf(column.dtype),
        shape: k === 1 ? [0] : [0, k],
        maxshape: k === 1 ? [null] : [null, k],
        chunks: k === 1 ? [p.chunkRows] : [Math.max(1, Math.floor(p.chunkRows / k)), k],
        dtype: H5_TYPES[column.dtype],
        ...(p.compression === 'gzip'
          ? { compression: 'gzip' as const, compression_opts: p.compressionLevel }
          : {}),
      });
      if (column.unit) dataset.create_attribute('unit', column.unit);
      this.datasets.push(dataset);
    }
    const group = ensureGroup(h5wasm, this.h5, p.vaex ? '/table' : p.group.replace(/\/$/, '') || '/');
    if (schema.sampleRate !== undefined) group.create_attribute('sampleRate', schema.sampleRate);
    if (schema.source !== undefined) group.create_attribute('source', schema.source);
  }

  write(chunks: readonly ColumnChunk[], rows: number): void {
    const end = this.rows + rows;
    chunks.forEach(({ column, data }, i) => {
      const dataset = this.datasets[i];
      dataset.resize(column.width === 1 ? [end] : [end, column.width]);
      dataset.write_slice(column.width === 1 ? [[this.rows, end]] : [[this.rows, end], []], data);
    });
    this.rows = end;
  }

  async finish(): Promise<void> {
    this.close();
    await this.file.commit();
  }

  async abort(): Promise<void> {
    try {
      this.close();
    } finally {
      await this.file.abort();
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.h5.close();
  }
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

/** A "/" in a column name makes HDF5 groups, so 'a' and 'a/b' cannot both be written. */
function nameClash(path: string): SluiceError {
  return new SluiceError('PARAMS_INVALID', `hdf5: '${path}' is needed both as a dataset and as a group`, {
    hint: "a '/' in a column name is an HDF5 group separator; rename the columns with a select step",
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
