import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import { openCsvWriter } from '../formats/csv/writer.ts';
import { csvWriterFields, writerFields } from '../adapters/writer-params.ts';
import { createWriterSink, selectColumns } from '../adapters/writer-sink.ts';

const params = z
  .object({ ...writerFields, ...csvWriterFields })
  .strict()
  .describe(
    'Writes comma-separated text for small outputs: a header line, then one line per row, numbers in the ' +
      'shortest form that reads back to the same value (float32 as float32), int64 exactly, non-finite values ' +
      'as nan, inf, -inf (as numpy.savetxt). A width-k column becomes k fields name_0 … name_(k-1).',
  );

export type CsvParams = z.output<typeof params>;

export default defineStage({
  name: 'csv',
  kind: 'sink',
  params,
  outputs: (p) => [p.out],
  check: (p, schema) => void selectColumns(schema, p.columns, 'csv'),
  create: async (p, ctx) => {
    const columns = selectColumns(ctx.schema, p.columns, 'csv');
    return createWriterSink([p.out], columns, await openCsvWriter(p.out, columns, p, ctx));
  },
});
