import { z } from 'zod';
import { DTYPES } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import { defineStage } from '../core/stage.ts';
import type { CsvOptions, CsvTable } from '../formats/csv/reader.ts';
import { readCsvPieces, scanCsv, selectCsvColumns } from '../formats/csv/reader.ts';
import type { StreamedTable } from '../adapters/streamed-source.ts';
import { openStreamedTable, streamedSourceFields } from '../adapters/streamed-source.ts';

const params = z
  .object({
    ...streamedSourceFields,
    delimiter: z
      .string()
      .length(1)
      .optional()
      .describe('Field separator, one character. Default: a tab for a .tsv file, else a comma.'),
    quote: z
      .string()
      .length(1)
      .default('"')
      .describe('Quote character; a quoted field may hold delimiters and newlines.'),
    header: z
      .boolean()
      .default(true)
      .describe('The first record names the columns; without one they are c0, c1, …'),
    dtypes: z
      .record(z.string(), z.enum(DTYPES))
      .optional()
      .describe('Column types by name (e.g. {t: float32, id: int32}); the others are inferred.'),
    inferRows: z
      .number()
      .int()
      .min(1)
      .default(1000)
      .describe(
        'Rows sampled to infer each column’s type, as pandas does: all integers → int64, any float or missing value → float64, true/false → uint8, anything else is text (listed by `sluice inspect`, refused only when selected).',
      ),
  })
  .strict()
  .describe(
    'Reads a CSV file, parsed by csv-parse (quoted fields, CRLF, a BOM). Missing values (empty, nan, NaN, NA, null, … pandas’ defaults) are NaN in float columns; `nulls` decides for integers; inf and -inf are read. ' +
      'Opening counts the records with a byte scan that follows the quotes and indexes every 4,096th, and parses only a sample; a row range (and every thread or machine shard) is then parsed from the nearest indexed record on. ' +
      'A value that does not fit the column’s type (a float after the sampled rows of an int64 column) is DATA_INVALID with its row: give `dtypes` or raise `inferRows`.',
  );

export type CsvSourceParams = z.output<typeof params>;

export default defineStage({
  name: 'csv',
  kind: 'source',
  params,
  extensions: ['.csv', '.tsv'],
  inputs: (p) => [p.path],
  create: (p) => openStreamedTable(p, () => openCsvTable(p)),
});

async function openCsvTable(p: CsvSourceParams): Promise<StreamedTable> {
  const delimiter = p.delimiter ?? (p.path.toLowerCase().endsWith('.tsv') ? '\t' : ',');
  const options: CsvOptions = {
    delimiter,
    quote: p.quote,
    header: p.header,
    inferRows: p.inferRows,
    dtypes: p.dtypes,
  };
  const table = await scanCsv(p.path, options);
  checkDtypeNames(table, p.dtypes, p.path);
  const columns = selectCsvColumns(table, p.columns);
  if (columns.length === 0) {
    throw new SluiceError('FORMAT_UNSUPPORTED', `${p.path}: no column of the CSV file holds numbers`, {
      path: p.path,
      hint: 'give the types in `dtypes`, or check `delimiter`',
    });
  }
  return {
    format: 'csv',
    totalRows: table.totalRows,
    columns: columns.map((c) => c.column),
    details: {
      fields: table.fields.map((f) => `${f.name}: ${f.dtype ?? 'text'}`),
      ...(table.fields.some((f) => !f.dtype)
        ? { unsupported: table.fields.filter((f) => !f.dtype).map((f) => `${f.name}: text`) }
        : {}),
      delimiter,
    },
    bytes: (from, end) => (table.totalRows ? Math.round((table.bytes * (end - from)) / table.totalRows) : 0),
    pieces: (from, end, signal) =>
      readCsvPieces(table, columns, { ...options, nulls: p.nulls }, from, end, signal),
    close: () => undefined,
  };
}

function checkDtypeNames(
  table: CsvTable,
  dtypes: Readonly<Record<string, unknown>> | undefined,
  path: string,
): void {
  for (const name of Object.keys(dtypes ?? {})) {
    if (table.fields.some((f) => f.name === name)) continue;
    throw new SluiceError('COLUMN_UNKNOWN', `${path}: dtypes names '${name}', which is no column`, {
      path,
      subject: name,
      hint: `Columns: ${table.fields.map((f) => f.name).join(', ')}.`,
    });
  }
}
