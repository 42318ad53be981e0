/**
 * What every table-file source shares (docs/design.md §4): its params (the file, the row range,
 * the batch size, the file-access backend and the sample rate) and the way it opens. Spread
 * `fileSourceFields` into a source's `z.object({...})`; it is a plain shape so each source can
 * still add fields and refinements. `openTableFile` does the rest once the source says what
 * table the file holds.
 */
import { z } from 'zod';
import type { Schema } from '../core/schema.ts';
import type { OpenSource, StageContext } from '../core/stage.ts';
import type { MappedFile } from '../io/mapped-file.ts';
import { openMappedFile } from '../io/open.ts';
import type { TableLayout } from '../io/table-reader.ts';
import { checkRowOrder, columnsOf, createTableSource, resolveRowRange } from '../io/table-reader.ts';

/**
 * The `chunkRows` param with its default. Sources of wide records pass a smaller default
 * (`note` says why), so that a batch stays a few MB: memory in use is ~3 batches of raw bytes
 * plus their decoded columns, and small batches also stay in the CPU cache.
 */
export function chunkRowsField(defaultRows: number, note = '') {
  return z
    .number()
    .int()
    .min(1)
    .default(defaultRows)
    .describe(
      `New rows per batch; memory in use is about chunkRows × bytes per row, whatever the file size.${note}`,
    );
}

/** The optional `columns` param: distinct names, in the order to read them; `note` says what reading them costs. */
export function columnsField(note: string) {
  return z
    .array(z.string().min(1))
    .min(1)
    .refine((list) => new Set(list).size === list.length, 'column names must be unique')
    .optional()
    .describe(note);
}

export const fileSourceFields = {
  path: z
    .string()
    .min(1)
    .describe(
      'The file to read. A glob (`runs/*.epos`) or a directory runs the pipeline once per matching file; sinks then name their outputs with {stem}, {name} and {dir}.',
    ),
  recursive: z
    .boolean()
    .default(false)
    .describe('With a directory `path`: read the files in its subdirectories too.'),
  chunkRows: chunkRowsField(1048576),
  startRow: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('First row to read (0-based); with endRow it selects one shard of the file.'),
  endRow: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Row to stop before (exclusive); clamped to the rows in the file. Default: the end.'),
  origin: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      'Row that segmenting stages align their segments to. Default: startRow, so a row range gives what numpy gives on that slice; a shard of a larger range keeps the larger range’s start.',
    ),
  io: z
    .enum(['auto', 'read', 'mmap'])
    .default('auto')
    .describe(
      'File access: read uses double-buffered positioned reads, mmap maps the file in windows; auto is read, the faster for sequential scans (npm run bench).',
    ),
  sampleRate: z
    .number()
    .positive()
    .optional()
    .describe(
      'Samples per second of the rows, when they are a regularly sampled signal (becomes schema.sampleRate).',
    ),
};

export type FileSourceParams = z.output<z.ZodObject<typeof fileSourceFields>>;

/** What a table file's header (or the params) say about its rows. */
export interface TableFacts {
  /** The stage name (`npy`, `raw`, ...). */
  readonly format: string;
  readonly layout: TableLayout;
  readonly totalRows: number;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * The OpenSource of a table file: checks the row params (before any file is opened), opens
 * the file with the backend they ask for, learns its table from `describe` (a header read, or
 * the params), and applies the row range and sample rate. The file is closed when any step
 * after opening fails; otherwise the source owns it.
 */
export async function openTableFile(
  params: FileSourceParams,
  ctx: Pick<StageContext, 'log'>,
  describe: (file: MappedFile) => TableFacts | Promise<TableFacts>,
): Promise<OpenSource> {
  checkRowOrder(params.startRow, params.endRow, params.path);
  const file = await openMappedFile(params.path, { io: params.io }, ctx.log);
  try {
    return toTableSource(file, params, await describe(file));
  } catch (error) {
    await file.close();
    throw error;
  }
}

function toTableSource(file: MappedFile, params: FileSourceParams, table: TableFacts): OpenSource {
  const { startRow, endRow } = resolveRowRange(table.totalRows, params.startRow, params.endRow, params.path);
  const schema: Schema = {
    columns: columnsOf(table.layout),
    sampleRate: params.sampleRate,
    source: params.path,
    origin: params.origin ?? startRow,
  };
  return createTableSource({ ...table, file, schema, startRow, endRow, chunkRows: params.chunkRows });
}
