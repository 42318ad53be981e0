import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import { openNpyWriter } from '../formats/npy/writer.ts';
import { writerFields } from '../adapters/writer-params.ts';
import { createWriterSink, selectColumns } from '../adapters/writer-sink.ts';

const params = z
  .object({ ...writerFields })
  .strict()
  .describe(
    'Writes a NumPy .npy file (numpy.load opens it): one column as a plain array (a width-k column as a 2-D ' +
      '(rows, k) array), several as a 1-D structured array with one field per column (width-k fields as ' +
      'sub-arrays). The header is written first with room to spare and its shape rewritten when the stream ends.',
  );

export type NpyWriterParams = z.output<typeof params>;

export default defineStage({
  name: 'npy',
  kind: 'sink',
  params,
  outputs: (p) => [p.out],
  check: (p, schema) => void selectColumns(schema, p.columns, 'npy'),
  create: async (p, ctx) => {
    const columns = selectColumns(ctx.schema, p.columns, 'npy');
    return createWriterSink([p.out], columns, await openNpyWriter(p.out, columns, ctx));
  },
});
