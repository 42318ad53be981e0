import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import { openParquetWriter } from '../formats/parquet/writer.ts';
import { parquetWriterFields, writerFields } from '../adapters/writer-params.ts';
import { createWriterSink, selectColumns } from '../adapters/writer-sink.ts';

const params = z
  .object({ ...writerFields, ...parquetWriterFields })
  .strict()
  .describe(
    'Writes Apache Parquet (DuckDB, Polars, pandas/pyarrow open it): row groups are encoded on worker threads ' +
      'while the main thread reads and transforms, and appended in row order (the file is byte for byte the ' +
      'same at every thread count). Columns of one number per row, zstd or uncompressed, are encoded by sluice ' +
      "itself, pages compressed by native zstd (level 1, arrow-rs's default; the optional zstd-napi package), " +
      'laid out as arrow-rs lays them out; otherwise (lists, snappy, gzip, byte-stream-split, or zstd-napi ' +
      'missing) parquet-wasm (arrow-rs) encodes them. Types map one to one (float32 → FLOAT, int8 → ' +
      'INT(8, signed), uint64 → INT(64, unsigned), ...); width-k columns are fixed-size lists; sampleRate, ' +
      'source, origin and units go to the key-value metadata (and the Arrow schema pyarrow restores).',
  );

export type ParquetParams = z.output<typeof params>;

export default defineStage({
  name: 'parquet',
  kind: 'sink',
  params,
  outputs: (p) => [p.out],
  check: (p, schema) => void selectColumns(schema, p.columns, 'parquet'),
  create: async (p, ctx) => {
    const columns = selectColumns(ctx.schema, p.columns, 'parquet');
    return createWriterSink([p.out], columns, await openParquetWriter(p.out, columns, ctx.schema, p, ctx));
  },
});
