import { z } from 'zod';
import type { DType, TypedArray } from '../core/dtype.ts';
import type { ColumnSchema } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import type { AtomicFile } from '../io/atomic-file.ts';
import { createAtomicFile } from '../io/atomic-file.ts';
import type { ColumnChunk, TableEncoder } from '../formats/table-encoder.ts';
import { createWriterSink, selectColumns, writerFields } from '../adapters/writer-sink.ts';

const params = z
  .object({
    ...writerFields,
    delimiter: z.string().length(1).default(',').describe('Field separator (one character).'),
    header: z.boolean().default(true).describe('Write a first line of column names.'),
  })
  .strict()
  .describe(
    'Writes comma-separated text for small outputs: a header line, then one line per row, numbers in the ' +
      'shortest form that reads back to the same value (float32 as float32), int64 exactly, non-finite values ' +
      'as nan, inf, -inf (as numpy.savetxt). A width-k column becomes k fields name_0 … name_(k-1).',
  );

export type CsvParams = z.output<typeof params>;

/** Rows formatted per file write: enough to amortise the write, few enough to keep memory small. */
const ROWS_PER_WRITE = 8192;

export default defineStage({
  name: 'csv',
  kind: 'sink',
  params,
  outputs: (p) => [p.out],
  check: (p, schema) => void selectColumns(schema, p.columns, 'csv'),
  create: async (p, ctx) => {
    const columns = selectColumns(ctx.schema, p.columns, 'csv');
    const file = await createAtomicFile(p.out, { overwrite: ctx.overwrite });
    return createWriterSink([p.out], columns, new CsvEncoder(file, columns, p));
  },
});

/** The header fields of `columns`: a width-k column gives name_0 … name_(k-1). */
export function csvHeader(columns: readonly ColumnSchema[]): string[] {
  return columns.flatMap((c) =>
    c.width === 1 ? [c.name] : Array.from({ length: c.width }, (_, j) => `${c.name}_${j}`),
  );
}

/**
 * The shortest decimal that reads back to `x` in `dtype`: JS `String` is shortest round-trip
 * for float64; float32 needs the fewest digits (≤ 9) that round back under Math.fround.
 */
export function formatNumber(x: number, dtype: DType): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (dtype !== 'float32' || x === 0) return String(x);
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return String(candidate);
  }
  return String(Number(x.toPrecision(9)));
}

class CsvEncoder implements TableEncoder {
  private started = false;

  constructor(
    private readonly file: AtomicFile,
    private readonly columns: readonly ColumnSchema[],
    private readonly p: CsvParams,
  ) {}

  async write(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    if (!this.started) await this.start();
    for (let from = 0; from < rows; from += ROWS_PER_WRITE) {
      await this.file.write(
        formatRows(chunks, from, Math.min(rows, from + ROWS_PER_WRITE), this.p.delimiter),
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
    if (this.p.header) await this.file.write(`${csvHeader(this.columns).join(this.p.delimiter)}\n`);
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
