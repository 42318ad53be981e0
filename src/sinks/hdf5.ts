import { z } from 'zod';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { checkHdf5Columns, openHdf5Writer } from '../formats/hdf5/writer.ts';
import { hdf5WriterFields, writerFields } from '../adapters/writer-params.ts';
import { createWriterSink, selectColumns } from '../adapters/writer-sink.ts';

const params = z
  .object({ ...writerFields, ...hdf5WriterFields })
  .strict()
  .describe(
    'Writes HDF5 straight to disk (h5wasm writes the metadata): per column one dataset (width-k columns ' +
      '2-D (rows, k)), contiguous or chunked (see storage), optional gzip, units as `unit` attributes, sampleRate ' +
      'and source as attributes of the group. Every column is one dataset directly under the group: a `/` in its ' +
      'name is written `%2F` (`m%2Fn (Da)`) and the exact name kept in the `name` attribute, which the hdf5 source ' +
      'reads back. `layout: pandas` writes the PyTables table of `HDFStore.append(key, df, format="table", ' +
      'data_columns=True, index=False)`: `pd.read_hdf`, `HDFStore.select(where=…, iterator=True)` and ' +
      '`HDFStore.append` onto the file work as on a pandas-written one. When every step keeps rows and nothing is ' +
      'compressed, the table is sized before the run and the records go straight to their file offsets, as for ' +
      'contiguous columns (nearly as fast: records are packed, columns are not); otherwise it is appended ' +
      'batch by batch through h5wasm. No PyTables column index is written (`index=False`), so `where=` queries scan the table ' +
      '(`HDFStore.create_table_index(key, optlevel=…)` adds one afterwards).',
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
    return createWriterSink([p.out], columns, await openHdf5Writer(p.out, columns, ctx.schema, p, ctx));
  },
});

/** The columns written, refused when the layout cannot name them. */
export function hdf5Columns(p: Hdf5Params, schema: Schema): ColumnSchema[] {
  const columns = selectColumns(schema, p.columns, 'hdf5');
  checkHdf5Columns(columns, p);
  return columns;
}
