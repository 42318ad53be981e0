/**
 * What the sources of files decoded front to back share (`parquet`, `arrow`, `csv`): their
 * params (those of every file source, `io` without effect: the decoders do their own reads;
 * plus `columns` and `nulls`) and the way they open: the format opens its reader and says what
 * table the file holds, this applies the row range, the sample rate and the schema, and
 * streamed-table.ts cuts the decoded pieces into batches with look-back.
 */
import { z } from 'zod';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import type { OpenSource } from '../core/stage.ts';
import type { PieceReader } from '../io/streamed-table.ts';
import { createStreamedSource } from '../io/streamed-table.ts';
import { checkRowOrder, resolveRowRange } from '../io/table-reader.ts';
import { columnsField, fileSourceFields } from './file-params.ts';

export const streamedSourceFields = {
  ...fileSourceFields,
  io: z
    .enum(['auto', 'read', 'mmap'])
    .default('auto')
    .describe(
      'Accepted so that `--io` applies to every spec; this decoder reads the file with its own positioned reads whatever it says.',
    ),
  columns: columnsField(
    'Columns to read, in the order given; only they are decoded. Default: every column of a type sluice reads (`sluice inspect` lists the others).',
  ),
  nulls: z
    .enum(['error', 'zero'])
    .default('error')
    .describe(
      'Nulls in a float column are NaN. An integer, bool or timestamp column has no NaN: `error` refuses a null (DATA_INVALID, naming the column), `zero` reads it as 0.',
    ),
};

export type StreamedSourceParams = z.output<z.ZodObject<typeof streamedSourceFields>>;

/** What a format's reader says about a file once its header or footer is read. */
export interface StreamedTable {
  /** The stage name. */
  readonly format: string;
  readonly totalRows: number;
  /** The columns read, in order (the `columns` param applied). */
  readonly columns: readonly ColumnSchema[];
  readonly details: Readonly<Record<string, unknown>>;
  /** A sample rate the file records (sluice's own writers store it); the param wins. */
  readonly sampleRate?: number;
  /** Bytes of the file read for rows [from, end). */
  bytes(from: number, end: number): number;
  readonly pieces: PieceReader;
  close(): Promise<void> | void;
}

/** The OpenSource of a streamed file: `open` reads the header; closed again when anything after fails. */
export async function openStreamedTable(
  params: StreamedSourceParams,
  open: () => Promise<StreamedTable>,
): Promise<OpenSource> {
  checkRowOrder(params.startRow, params.endRow, params.path);
  const table = await open();
  try {
    const { startRow, endRow } = resolveRowRange(
      table.totalRows,
      params.startRow,
      params.endRow,
      params.path,
    );
    const schema: Schema = {
      columns: table.columns,
      sampleRate: params.sampleRate ?? table.sampleRate,
      source: params.path,
      origin: params.origin ?? startRow,
    };
    return createStreamedSource({
      path: params.path,
      format: table.format,
      schema,
      details: table.details,
      startRow,
      endRow,
      chunkRows: params.chunkRows,
      bytes: table.bytes(startRow, endRow),
      pieces: table.pieces,
      close: () => table.close(),
    });
  } catch (error) {
    await table.close();
    throw error;
  }
}

/** The sample rate a writer stored in the file's key-value metadata (`sampleRate`), when valid. */
export function storedSampleRate(metadata: ReadonlyMap<string, string>): number | undefined {
  const value = Number(metadata.get('sampleRate'));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
