import { z } from 'zod';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import type { SinkContext } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import type { AtomicFile } from '../io/atomic-file.ts';
import { createAtomicFile } from '../io/atomic-file.ts';
import { loadH5wasm } from '../io/lazy.ts';
import { ChunkedColumnsEncoder, ContiguousColumnsEncoder } from '../formats/hdf5/columns-writer.ts';
import { checkDatasetPaths, datasetPath } from '../formats/hdf5/datasets.ts';
import { PandasTableEncoder, pandasFields } from '../formats/hdf5/pandas-table.ts';
import type { TableEncoder } from '../formats/table-encoder.ts';
import { createWriterSink, selectColumns, writerFields } from '../adapters/writer-sink.ts';

export { checkDatasetPaths, datasetPath } from '../formats/hdf5/datasets.ts';

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
    storage: z
      .enum(['auto', 'contiguous', 'chunked'])
      .default('auto')
      .describe(
        'layout columns: contiguous datasets are sized before the run and each batch is written straight to its file offset, behind the compute, with O_DIRECT where the filesystem allows (about twice as fast as chunked in `npm run bench`; readers can memory-map them, as vaex does); they need the row count in advance (every step keeps rows) and no compression. chunked datasets are extensible and written through the HDF5 library batch by batch. auto: contiguous when it can be, else chunked.',
      ),
    chunkRows: z
      .number()
      .int()
      .min(1)
      .default(65536)
      .describe(
        'Rows per HDF5 chunk of each dataset (the unit of compression and of partial reads), for chunked storage.',
      ),
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
    'Writes HDF5 straight to disk (h5wasm writes the metadata): per column one dataset (width-k columns ' +
      '2-D (rows, k)), contiguous or chunked (see storage), optional gzip, units as `unit` attributes, sampleRate ' +
      'and source as attributes of the group.',
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
    const file = await createAtomicFile(p.out, { overwrite: ctx.overwrite });
    try {
      return createWriterSink([p.out], columns, await openEncoder(file, columns, ctx, p));
    } catch (error) {
      await file.abort();
      throw error;
    }
  },
});

/** h5wasm is loaded into this thread only for the encoders that write through it. */
async function openEncoder(
  file: AtomicFile,
  columns: readonly ColumnSchema[],
  ctx: SinkContext,
  p: Hdf5Params,
): Promise<TableEncoder> {
  if (p.layout === 'columns' && contiguous(p, ctx.rows))
    return ContiguousColumnsEncoder.open(file, columns, ctx.schema, p, ctx.rows ?? 0);
  const h5wasm = await loadH5wasm();
  if (p.layout === 'pandas') return PandasTableEncoder.open(h5wasm, file, columns, p);
  return new ChunkedColumnsEncoder(h5wasm, file, columns, ctx.schema, p);
}

/** Whether `layout: columns` writes contiguous datasets, given the row count if known. */
function contiguous(p: Hdf5Params, rows: number | undefined): boolean {
  if (p.storage === 'chunked') return false;
  const possible = rows !== undefined && p.compression === 'none';
  if (p.storage === 'auto' || possible) return possible;
  throw new SluiceError(
    'PARAMS_INVALID',
    'hdf5: storage contiguous needs the row count before the run, and no compression',
    {
      hint:
        p.compression !== 'none'
          ? 'gzip needs chunked storage: drop compression, or use storage: chunked'
          : 'a step before this sink changes the number of rows (filter, segment); use storage: chunked',
    },
  );
}

export function hdf5Columns(p: Hdf5Params, schema: Schema): ColumnSchema[] {
  const columns = selectColumns(schema, p.columns, 'hdf5');
  if (p.layout === 'pandas')
    pandasFields(columns); // throws for names pandas cannot take
  else checkDatasetPaths(columns.map((c) => datasetPath(p, c.name)));
  return columns;
}
