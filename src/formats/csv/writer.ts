/**
 * CSV, the writer side: a header line, then one line per row, numbers in the shortest form
 * that reads back to the same value (float32 as float32; whole floats with `.0`, so pandas reads
 * them as floats), int64 exactly, non-finite values as nan, inf, -inf (as numpy.savetxt)
 * (number-text.ts). A width-k column becomes k fields name_0 … name_(k-1). Rows are formatted
 * as bytes into one reused buffer and written in blocks of about a megabyte.
 */
import type { DType, TypedArray } from '../../core/dtype.ts';
import type { ColumnSchema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { createAtomicFile } from '../../io/atomic-file.ts';
import type { ColumnChunk, TableEncoder, WriteTarget } from '../table-encoder.ts';
import { MAX_VALUE_BYTES, TextBytes, writeFloat32, writeFloat64, writeInteger } from './number-text.ts';

export { formatNumber } from './number-text.ts';

export interface CsvWriteOptions {
  /** Field separator, one character. */
  readonly delimiter: string;
  /** Write a first line of column names. */
  readonly header: boolean;
}

export const CSV_WRITE_DEFAULTS: CsvWriteOptions = { delimiter: ',', header: true };

/** Bytes formatted per file write: enough to amortise the write, few enough to keep memory small. */
const BYTES_PER_WRITE = 1 << 20;

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

export class CsvEncoder implements TableEncoder {
  private started = false;
  private readonly text = new TextBytes();

  constructor(
    private readonly file: AtomicFile,
    private readonly columns: readonly ColumnSchema[],
    private readonly options: CsvWriteOptions,
  ) {}

  async write(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    if (!this.started) await this.start();
    const rowBytes = maxRowBytes(chunks);
    const rowsPerWrite = Math.max(1, Math.floor(BYTES_PER_WRITE / rowBytes));
    for (let from = 0; from < rows; from += rowsPerWrite) {
      this.text.length = 0;
      formatRowsInto(this.text, chunks, from, Math.min(rows, from + rowsPerWrite), this.options.delimiter);
      // The file's write completes before the buffer is filled again.
      await this.file.write(this.text.bytes.subarray(0, this.text.length));
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
  const text = new TextBytes();
  formatRowsInto(text, chunks, from, to, delimiter);
  return Buffer.from(text.bytes.buffer, text.bytes.byteOffset, text.length).toString('latin1');
}

/** The most bytes a line of the chunks takes. */
function maxRowBytes(chunks: readonly ColumnChunk[]): number {
  return chunks.reduce((sum, { column }) => sum + column.width * (MAX_VALUE_BYTES + 4), 1);
}

/** How each column's values are written. */
const FLOAT32 = 0;
const FLOAT64 = 1;
const INTEGER = 2;

function kindOf(dtype: DType): number {
  return dtype === 'float32' ? FLOAT32 : dtype === 'float64' ? FLOAT64 : INTEGER;
}

/** Appends the lines of rows [from, to) to `text`: row by row, each column's values in turn. */
function formatRowsInto(
  text: TextBytes,
  chunks: readonly ColumnChunk[],
  from: number,
  to: number,
  delimiter: string,
): void {
  if (to <= from) return;
  text.reserve((to - from) * maxRowBytes(chunks));
  // One byte but for a non-ASCII delimiter (its UTF-8 bytes).
  const separator = new TextEncoder().encode(delimiter);
  const kinds = chunks.map(({ column }) => kindOf(column.dtype));
  const widths = chunks.map(({ column }) => column.width);
  const arrays: TypedArray[] = chunks.map(({ data }) => data);
  for (let r = from; r < to; r++) {
    for (let c = 0; c < arrays.length; c++) {
      const data = arrays[c];
      const w = widths[c];
      const kind = kinds[c];
      for (let j = r * w; j < (r + 1) * w; j++) {
        if (kind === FLOAT32) writeFloat32(text, data[j] as number);
        else if (kind === FLOAT64) writeFloat64(text, data[j] as number);
        else writeInteger(text, data[j]);
        for (let b = 0; b < separator.length; b++) text.bytes[text.length++] = separator[b];
      }
    }
    // The last separator becomes the line's end.
    text.length -= arrays.length > 0 ? separator.length : 0;
    text.bytes[text.length++] = 10;
  }
}
