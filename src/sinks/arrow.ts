import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import { openArrowWriter } from '../formats/arrow/writer.ts';
import { arrowWriterFields, writerFields } from '../adapters/writer-params.ts';
import { createWriterSink, selectColumns } from '../adapters/writer-sink.ts';

const params = z
  .object({ ...writerFields, ...arrowWriterFields })
  .strict()
  .describe(
    'Writes Arrow IPC (pyarrow, Polars, DuckDB and pandas open it): one record batch per input batch, built ' +
      'from the typed arrays without copying; width-k columns as FixedSizeList<k>; units per field and ' +
      'sampleRate, source and origin as schema metadata. No compression, so readers can memory-map it.',
  );

export type ArrowParams = z.output<typeof params>;

export default defineStage({
  name: 'arrow',
  kind: 'sink',
  params,
  outputs: (p) => [p.out],
  check: (p, schema) => void selectColumns(schema, p.columns, 'arrow'),
  create: async (p, ctx) => {
    const columns = selectColumns(ctx.schema, p.columns, 'arrow');
    return createWriterSink([p.out], columns, await openArrowWriter(p.out, columns, ctx.schema, p, ctx));
  },
});
