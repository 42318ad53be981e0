/**
 * CSV, the writer side: a header line, then one line per row, numbers in the shortest form
 * that reads back to the same value (float32 as float32; whole floats with `.0`, so pandas reads
 * them as floats), int64 exactly, non-finite values as nan, inf, -inf (as numpy.savetxt). A width-k column becomes k fields name_0 … name_(k-1).
 */
import type { DType, TypedArray } from '../../core/dtype.ts';
import type { ColumnSchema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { createAtomicFile } from '../../io/atomic-file.ts';
import type { ColumnChunk, TableEncoder, WriteTarget } from '../table-encoder.ts';

export interface CsvWriteOptions {
  /** Field separator, one character. */
  readonly delimiter: string;
  /** Write a first line of column names. */
  readonly header: boolean;
}

export const CSV_WRITE_DEFAULTS: CsvWriteOptions = { delimiter: ',', header: true };

/** Rows formatted per file write: enough to amortise the write, few enough to keep memory small. */
const ROWS_PER_WRITE = 8192;

/** Opens `path` (a temporary file until `finish`) for rows of `columns`. */
export async function openCsvWriter(
  path: string,
  columns: readonly ColumnSchema[],
  options: CsvWriteOptions,
  target: WriteTarget,
): Promise<TableEncoder> {
  const file = await createAtomicFile(path, { overwrite: target.overwrite });
  return new CsvEncoder(file, columns, options);
}

/** The header fields of `columns`: a width-k column gives name_0 … name_(k-1). */
export function csvHeader(columns: readonly ColumnSchema[]): string[] {
  return columns.flatMap((c) =>
    c.width === 1 ? [c.name] : Array.from({ length: c.width }, (_, j) => `${c.name}_${j}`),
  );
}

/**
 * The shortest decimal that reads back to `x` in `dtype`: JS `String` is shortest round-trip
 * for float64; float32 needs the fewest digits (≤ 9) that round back under Math.fround. A
 * float column's whole numbers keep a decimal point (`1000.0`, as numpy and pandas write
 * them), so pandas.read_csv reads the column back as float, not int64.
 */
export function formatNumber(x: number, dtype: DType): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (dtype !== 'float32' && dtype !== 'float64') return String(x);
  return asFloatText(dtype === 'float64' || x === 0 ? String(x) : shortestFloat32(x));
}

function shortestFloat32(x: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return String(candidate);
  }
  return String(Number(x.toPrecision(9)));
}

/** `1000` → `1000.0`; `1.5`, `1e+21` and `1e-7` already read as floats. */
function asFloatText(text: string): string {
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

export class CsvEncoder implements TableEncoder {
  private started = false;

  constructor(
    private readonly file: AtomicFile,
    private readonly columns: readonly ColumnSchema[],
    private readonly options: CsvWriteOptions,
  ) {}

  async write(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    if (!this.started) await this.start();
    for (let from = 0; from < rows; from += ROWS_PER_WRITE) {
      await this.file.write(
        formatRows(chunks, from, Math.min(rows, from + ROWS_PER_WRITE), this.options.delimiter),
      );
    }
  }

  async finish(): Promise<void> {
    if (!this.started) await this.start();
    await this.file.commit();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }

  private async start(): Promise<void> {
    this.started = true;
    const { header, delimiter } = this.options;
    if (header) await this.file.write(`${csvHeader(this.columns).join(delimiter)}\n`);
  }
}

/** Lines for rows [from, to) of the chunks. */
export function formatRows(
  chunks: readonly ColumnChunk[],
  from: number,
  to: number,
  delimiter: string,
): string {
  const lines: string[] = [];
  const fields: string[] = [];
  for (let r = from; r < to; r++) {
    fields.length = 0;
    for (const { column, data } of chunks) {
      const w = column.width;
      for (let j = r * w; j < (r + 1) * w; j++) fields.push(formatValue(data, j, column.dtype));
    }
    lines.push(fields.join(delimiter));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function formatValue(data: TypedArray, index: number, dtype: DType): string {
  const value = data[index];
  return typeof value === 'bigint' ? value.toString() : formatNumber(value, dtype);
}
