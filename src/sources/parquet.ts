import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import { selectFields } from '../formats/arrow/columns.ts';
import { bytesFor, hasParquetMagic, openParquetFile } from '../formats/parquet/reader.ts';
import type { ParquetReader } from '../formats/parquet/reader.ts';
import { SluiceError } from '../core/errors.ts';
import type { StreamedSourceParams, StreamedTable } from '../adapters/streamed-source.ts';
import { openStreamedTable, storedSampleRate, streamedSourceFields } from '../adapters/streamed-source.ts';

const params = z
  .object({ ...streamedSourceFields })
  .strict()
  .describe(
    'Reads an Apache Parquet file (DuckDB, Polars, pandas/pyarrow, Spark, sluice) through parquet-wasm (arrow-rs): zstd, snappy, gzip, lz4, brotli or uncompressed, ' +
      'row group by row group, decoding only the `columns` asked for. Types: float32/64, int8–64, uint8–64, bool → uint8 0/1, ' +
      'timestamps → int64 and dates → int32 days or int64 ms with their unit in the schema, fixed-size lists of numbers → width-k columns. ' +
      'Strings, decimals and nested columns are listed by `sluice inspect` and refused only when selected. ' +
      'A row range (startRow/endRow, and every thread or machine shard) reads only the row groups holding it, found from the footer’s row counts. ' +
      'A sampleRate stored by sluice’s parquet sink is used unless the param gives one.',
  );

/** Rows per record batch arrow-rs decodes at most: a batch of chunkRows within one row group is then a view of it. */
const PIECE_ROWS = 1 << 20;

export type ParquetSourceParams = z.output<typeof params>;

export default defineStage({
  name: 'parquet',
  kind: 'source',
  params,
  extensions: ['.parquet', '.parq', '.pq'],
  sniff: hasParquetMagic,
  inputs: (p) => [p.path],
  create: (p) => openStreamedTable(p, () => openParquetTable(p)),
});

async function openParquetTable(p: StreamedSourceParams): Promise<StreamedTable> {
  const reader = await openParquetFile(p.path);
  try {
    const fields = selectFields(reader.fields, p.columns, p.path);
    if (fields.length === 0) throw noColumns(p.path, reader);
    return {
      format: 'parquet',
      totalRows: reader.totalRows,
      columns: fields.map((f) => f.column),
      details: detailsOf(reader),
      sampleRate: storedSampleRate(reader.metadata),
      bytes: (from, end) => bytesFor(reader, fields, from, end),
      pieces: (from, end, signal) =>
        reader.pieces(
          fields,
          { from, end, batchRows: Math.max(1, Math.min(p.chunkRows, PIECE_ROWS)), nulls: p.nulls },
          signal,
        ),
      close: () => reader.close(),
    };
  } catch (error) {
    await reader.close();
    throw error;
  }
}

function detailsOf(reader: ParquetReader): Record<string, unknown> {
  return {
    rowGroups: reader.rowGroups.length,
    rowGroupRows: reader.rowGroups.length ? Math.max(...reader.rowGroups.map((g) => g.rows)) : 0,
    ...(reader.createdBy ? { createdBy: reader.createdBy } : {}),
    fields: reader.schema.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? ' (nullable)' : ''}`),
    ...(reader.fields.unsupported.length
      ? { unsupported: reader.fields.unsupported.map((f) => `${f.name}: ${f.type}`) }
      : {}),
    ...(reader.metadata.size ? { metadata: Object.fromEntries(reader.metadata) } : {}),
  };
}

function noColumns(path: string, reader: ParquetReader): SluiceError {
  return new SluiceError('FORMAT_UNSUPPORTED', `${path}: the file has no column sluice can read`, {
    path,
    hint: `its columns are ${reader.fields.unsupported.map((f) => `${f.name} (${f.type})`).join(', ') || 'none'}`,
  });
}
