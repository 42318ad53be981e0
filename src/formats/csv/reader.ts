/**
 * CSV, the reader side, parsed by csv-parse (quotes, escaped quotes, quoted newlines, CRLF, a
 * BOM). Opening counts the records and indexes every INDEX_EVERY-th with a byte scan
 * (records.ts) and parses a sample of the first rows to infer the column types (values.ts);
 * reading a row range then starts parsing at the nearest indexed record before it, so a shard
 * parses from its own part of the file on. Fields become typed arrays piece by piece.
 */
import { createReadStream } from 'node:fs';
import type { DType, TypedArray } from '../../core/dtype.ts';
import { allocArray, isBigIntDType } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { ColumnSchema } from '../../core/schema.ts';
import type { RowPiece } from '../../io/streamed-table.ts';
import type { FieldKind } from './values.ts';
import { INDEX_EVERY, indexRecords } from './records.ts';
import { inferDtype, kindOf, parseFloatField, parseIntegerField } from './values.ts';

/** Rows per decoded piece. */
const PIECE_ROWS = 16_384;

export interface CsvOptions {
  readonly delimiter: string;
  readonly quote: string;
  readonly header: boolean;
  /** Rows sampled to infer types. */
  readonly inferRows: number;
  /** Types given by name, instead of inferred. */
  readonly dtypes?: Readonly<Record<string, DType>>;
}

export interface CsvColumn {
  /** Field index in a record. */
  readonly index: number;
  readonly column: ColumnSchema;
}

export interface CsvTable {
  readonly path: string;
  readonly bytes: number;
  readonly totalRows: number;
  /** Every field of the header, with the dtype read or undefined (text). */
  readonly fields: readonly { name: string; dtype?: DType }[];
  /** Byte offset of data row k·INDEX_EVERY, k = 0, 1, … */
  readonly index: readonly number[];
}

/** Parses `path` once: field names, row count, record index, and inferred types. */
export async function scanCsv(path: string, options: CsvOptions): Promise<CsvTable> {
  const index = await indexRecords(path, options.quote, options.header);
  let names: string[] | undefined;
  const kinds: Set<FieldKind>[] = [];
  let sampled = 0;
  for await (const fields of parseFrom(path, 0, options, true)) {
    if (!names) {
      names = options.header ? fields.map((f) => f.trim()) : fields.map((_, i) => `c${i}`);
      checkNames(names, path);
      if (options.header) continue;
    }
    if (sampled >= options.inferRows) break;
    fields.forEach((f, i) => (kinds[i] ??= new Set()).add(kindOf(f)));
    sampled += 1;
  }
  if (!names) throw new SluiceError('FORMAT_INVALID', `${path}: the CSV file is empty`, { path });
  const fields = names.map((name, i) => ({
    name,
    dtype: options.dtypes?.[name] ?? inferDtype(kinds[i] ?? new Set(['missing'])),
  }));
  return { path, bytes: index.bytes, totalRows: index.records, fields, index: index.offsets };
}

function checkNames(names: readonly string[], path: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new SluiceError('FORMAT_INVALID', `${path}: column '${name}' appears twice in the header`, {
        path,
        hint: 'rename one, or read without a header (`header: false`, columns c0, c1, …)',
      });
    }
    seen.add(name);
  }
}

/** csv-parse over the file from byte `offset`; csv-parse's own errors become FORMAT_INVALID. */
async function* parseFrom(
  path: string,
  offset: number,
  options: CsvOptions,
  fromStart: boolean,
  signal?: AbortSignal,
): AsyncGenerator<string[]> {
  // Loaded on first use, as io/lazy.ts loads the heavy libraries: every command imports the registry.
  const { parse } = await import('csv-parse');
  const parser = parse({
    delimiter: options.delimiter,
    quote: options.quote,
    bom: fromStart,
    skip_empty_lines: true,
    // As records.ts counts them: a lone \r is part of a field.
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: false,
  });
  const input = createReadStream(path, { start: offset, highWaterMark: 1 << 20, signal });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const record of parser) yield record as string[];
  } catch (error) {
    throw toCsvError(path, offset, error);
  } finally {
    input.destroy();
    parser.destroy();
  }
}

function toCsvError(path: string, offset: number, error: unknown): SluiceError {
  if (error instanceof SluiceError) return error;
  const e = error as { message?: string; code?: string; lines?: number; name?: string };
  if (e.name === 'AbortError')
    return new SluiceError('ABORTED', `${path}: reading was interrupted`, { path });
  const where = offset === 0 && e.lines ? ` (line ${e.lines})` : '';
  return new SluiceError(
    'FORMAT_INVALID',
    `${path}: not a valid CSV file${where}: ${e.message ?? String(error)}`,
    {
      path,
      hint: 'every record needs as many fields as the header; check delimiter and quote',
      cause: error,
    },
  );
}

/** The columns named by `columns` (every numeric one when absent) with their field index. */
export function selectCsvColumns(table: CsvTable, columns: readonly string[] | undefined): CsvColumn[] {
  const chosen = columns ?? table.fields.filter((f) => f.dtype).map((f) => f.name);
  return chosen.map((name) => {
    const index = table.fields.findIndex((f) => f.name === name);
    if (index < 0) {
      throw new SluiceError('COLUMN_UNKNOWN', `${table.path}: no column '${name}'`, {
        path: table.path,
        subject: name,
        hint: `Columns: ${table.fields.map((f) => f.name).join(', ')}.`,
      });
    }
    const dtype = table.fields[index].dtype;
    if (!dtype) {
      throw new SluiceError(
        'FORMAT_UNSUPPORTED',
        `${table.path}: column '${name}' holds text, which sluice does not read`,
        {
          path: table.path,
          subject: name,
          hint: 'give its type in `dtypes` if its first rows only look like text, or leave it out of `columns`',
        },
      );
    }
    return { index, column: { name, dtype, width: 1 } };
  });
}

/** Pieces of the selected columns holding rows [from, end), parsed from the nearest indexed record on. */
export async function* readCsvPieces(
  table: CsvTable,
  columns: readonly CsvColumn[],
  options: CsvOptions & { nulls: 'error' | 'zero' },
  from: number,
  end: number,
  signal?: AbortSignal,
): AsyncGenerator<RowPiece> {
  const k = Math.min(Math.floor(from / INDEX_EVERY), table.index.length - 1);
  if (k < 0 || from >= end) return;
  const offset = table.index[k];
  // Reading to the end checks that csv-parse finds no record the scan did not count.
  const toEnd = end >= table.totalRows;
  let row = k * INDEX_EVERY;
  let piece = newPiece(columns, from, Math.min(PIECE_ROWS, end - from));
  let filled = 0;
  for await (const fields of parseFrom(table.path, offset, options, offset === 0, signal)) {
    if (row >= end) throw miscounted(table.path);
    if (row >= from) {
      columns.forEach((c, i) =>
        store(piece.columns[i], filled, fields[c.index], c.column, options.nulls, table.path, row),
      );
      filled += 1;
      if (filled === piece.rows) {
        yield piece;
        piece = newPiece(columns, row + 1, Math.min(PIECE_ROWS, end - row - 1));
        filled = 0;
      }
    }
    row += 1;
    if (row >= end && !toEnd) break;
  }
  if (filled > 0) yield { ...piece, rows: filled, columns: piece.columns.map((c) => c.subarray(0, filled)) };
}

function miscounted(path: string): SluiceError {
  return new SluiceError('FORMAT_INVALID', `${path}: csv-parse finds more records than the scan counted`, {
    path,
    hint: 'a quote character inside an unquoted field confuses the two; check `quote`, or quote the field',
  });
}

function newPiece(columns: readonly CsvColumn[], start: number, rows: number): RowPiece {
  return { start, rows, columns: columns.map((c) => allocArray(c.column.dtype, Math.max(0, rows))) };
}

/** Field `raw` into `out[at]`; a field that is not of the column's type is DATA_INVALID. */
function store(
  out: TypedArray,
  at: number,
  raw: string | undefined,
  column: ColumnSchema,
  nulls: 'error' | 'zero',
  path: string,
  row: number,
): void {
  if (raw === undefined) throw badField(path, row, column, '');
  if (column.dtype === 'float64' || column.dtype === 'float32') {
    const value = parseFloatField(raw);
    if (value === undefined) throw badField(path, row, column, raw);
    out[at] = value;
    return;
  }
  const value = parseIntegerField(raw);
  if (value === undefined) throw badField(path, row, column, raw);
  if (value === null && nulls === 'error') {
    throw new SluiceError(
      'DATA_INVALID',
      `${path}: row ${row}: column '${column.name}' (${column.dtype}) is empty`,
      {
        path,
        subject: column.name,
        hint: 'an integer has no NaN: set `nulls: zero`, or give the column a float type in `dtypes`',
      },
    );
  }
  const integer = value ?? 0n;
  if (isBigIntDType(column.dtype))
    out[at] = (column.dtype === 'int64' ? BigInt.asIntN(64, integer) : BigInt.asUintN(64, integer)) as never;
  else out[at] = Number(integer);
  checkFits(out, at, integer, column, path, row);
}

function checkFits(
  out: TypedArray,
  at: number,
  value: bigint,
  column: ColumnSchema,
  path: string,
  row: number,
): void {
  const stored = out[at];
  if ((typeof stored === 'bigint' ? stored : BigInt(stored)) === value) return;
  throw new SluiceError(
    'DATA_INVALID',
    `${path}: row ${row}: ${value} does not fit column '${column.name}' (${column.dtype})`,
    {
      path,
      subject: column.name,
      hint: 'give the column a wider type in `dtypes`',
    },
  );
}

function badField(path: string, row: number, column: ColumnSchema, raw: string): SluiceError {
  return new SluiceError(
    'DATA_INVALID',
    `${path}: row ${row}: '${raw.slice(0, 40)}' is no ${column.dtype} (column '${column.name}')`,
    {
      path,
      subject: column.name,
      hint: 'the type was inferred from the first rows; give it in `dtypes` (e.g. float64), or raise inferRows',
    },
  );
}
