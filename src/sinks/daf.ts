import { z } from 'zod';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { checkDafColumns, dafOutputs, openDafWriter } from '../formats/daf/writer.ts';
import { writerFields } from '../adapters/writer-params.ts';
import { createWriterSink, selectColumns } from '../adapters/writer-sink.ts';

const params = z
  .object({
    ...writerFields,
    out: z
      .string()
      .min(1)
      .describe('Base path: `<out>.array` (the data) and `<out>.yaml` (its description) are written.'),
  })
  .strict()
  .describe(
    'Writes a dense DataAxesFormats (daf) array: `<out>.array` holds the raw little-endian values, 2-D ' +
      'row-major (rows × the summed widths of the columns; 1-D for a single width-1 column), and `<out>.yaml` ' +
      'holds `version: [1, 0]`, `dtype` and `shape`. Every column written must have the same dtype.',
  );

export type DafWriterParams = z.output<typeof params>;

export default defineStage({
  name: 'daf',
  kind: 'sink',
  params,
  outputs: (p) => dafOutputs(p.out),
  check: (p, schema) => void dafColumns(p, schema),
  create: async (p, ctx) => {
    const columns = dafColumns(p, ctx.schema);
    return createWriterSink(dafOutputs(p.out), columns, await openDafWriter(p.out, columns, ctx));
  },
});

/** The columns written; one dtype for all (a daf array has one element type). */
export function dafColumns(p: DafWriterParams, schema: Schema): ColumnSchema[] {
  const columns = selectColumns(schema, p.columns, 'daf');
  checkDafColumns(columns);
  return columns;
}
