import { z } from 'zod';
import { SluiceError } from '../core/errors.ts';
import { defineStage } from '../core/stage.ts';
import { selectFields } from '../formats/arrow/columns.ts';
import type { ArrowReader } from '../formats/arrow/reader.ts';
import { hasArrowMagic, openArrowFile } from '../formats/arrow/reader.ts';
import type { StreamedSourceParams, StreamedTable } from '../adapters/streamed-source.ts';
import { openStreamedTable, storedSampleRate, streamedSourceFields } from '../adapters/streamed-source.ts';

const params = z
  .object({ ...streamedSourceFields })
  .strict()
  .describe(
    'Reads an Arrow IPC file (`.arrow`, `.feather` v2) or stream (`.arrows`), as pyarrow, Polars, apache-arrow and sluice write them, through apache-arrow, ' +
      'record batch by record batch: opening reads only the message headers, so a row range (startRow/endRow, every shard) reads only the batches holding it. ' +
      'Types as the parquet source: numbers one to one, bool → uint8, timestamps → int64 and dates → int32/int64 with their unit, fixed-size lists → width-k columns; ' +
      'strings, decimals, nested and dictionary columns are listed by `sluice inspect` and refused only when selected. ' +
      'Compressed bodies (LZ4/ZSTD, Feather’s default) are refused: write with compression uncompressed.',
  );

export type ArrowSourceParams = z.output<typeof params>;

export default defineStage({
  name: 'arrow',
  kind: 'source',
  params,
  extensions: ['.arrow', '.arrows', '.feather', '.ipc'],
  sniff: hasArrowMagic,
  inputs: (p) => [p.path],
  create: (p) => openStreamedTable(p, () => openArrowTable(p)),
});

async function openArrowTable(p: StreamedSourceParams): Promise<StreamedTable> {
  const reader = await openArrowFile(p.path);
  try {
    const fields = selectFields(reader.fields, p.columns, p.path);
    if (fields.length === 0) {
      throw new SluiceError('FORMAT_UNSUPPORTED', `${p.path}: the file has no column sluice can read`, {
        path: p.path,
        hint: `its columns are ${reader.fields.unsupported.map((f) => `${f.name} (${f.type})`).join(', ') || 'none'}`,
      });
    }
    return {
      format: 'arrow',
      totalRows: reader.totalRows,
      columns: fields.map((f) => f.column),
      details: detailsOf(reader),
      sampleRate: storedSampleRate(reader.schema.metadata),
      bytes: (from, end) => batchBytes(reader, from, end),
      pieces: (from, end, signal) => reader.pieces(fields, { from, end, nulls: p.nulls }, signal),
      close: () => reader.close(),
    };
  } catch (error) {
    await reader.close();
    throw error;
  }
}

/** Bytes of the record batches holding rows [from, end). */
function batchBytes(reader: ArrowReader, from: number, end: number): number {
  return reader.batches
    .filter((b) => b.rows > 0 && b.start < end && b.start + b.rows > from)
    .reduce((n, b) => n + b.length, 0);
}

function detailsOf(reader: ArrowReader): Record<string, unknown> {
  const metadata = new Map(reader.schema.metadata);
  return {
    ipc: reader.format,
    recordBatches: reader.batches.length,
    fields: reader.schema.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? ' (nullable)' : ''}`),
    ...(reader.fields.unsupported.length
      ? { unsupported: reader.fields.unsupported.map((f) => `${f.name}: ${f.type}`) }
      : {}),
    ...(metadata.size ? { metadata: Object.fromEntries(metadata) } : {}),
  };
}
