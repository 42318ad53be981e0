/**
 * The spectrogram as a table, one row per time slice, through the format writer its `out`
 * extension names (write-table.ts), with the params its `writer:` object gives, checked as the
 * writer sink of that format checks them (writer-params.ts): a float64 `time` column (scipy's
 * segment centres, in seconds) and a width-F float64 `Sxx` column, or `re` and `im` for mode
 * complex. The frequencies are the columns' `axis` and, for writers that keep schema metadata
 * (Parquet, Arrow), the `spectrogram.frequencies` entry. Each batch's slices go to the writer
 * as they are computed, so memory holds one batch of slices, never the whole spectrogram.
 */
import { z } from 'zod';
import type { Column } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import type { SinkContext, SinkInstance } from '../core/stage.ts';
import type { TableWriteOptions, TableWriter } from '../formats/write-table.ts';
import { writerForPath } from '../formats/write-table.ts';
import { formatWriterFields, writerFields } from './writer-params.ts';
import { createWriterSink, selectColumns } from './writer-sink.ts';

/** What a spectrogram's table needs to know of its slices. */
export interface SliceLayout {
  /** F, the frequency bins. */
  readonly bins: number;
  readonly nfft: number;
  readonly complex: boolean;
  readonly frequencies: readonly number[];
  /** The signal's sample rate; undefined means 1 and times in samples, as scipy's fs=1. */
  readonly sampleRate: number | undefined;
  /** Facts for the metadata (nperseg, noverlap, window, mode, ...). */
  readonly facts: Readonly<Record<string, string | number | boolean>>;
}

/** Values of a Parquet row group: wide rows make the writer's default 1 Mi rows gigabytes. */
const ROW_GROUP_VALUES = 1 << 22;

/** The table writer of a spectrogram's `out`, which takes the params of `writer:`. */
export interface SliceWriter {
  readonly table: TableWriter;
  /** Checks the params against the slice schema as the format's sink would (a SluiceError). */
  check(params: SliceWriterParams, schema: Schema): void;
}

/** A `writer:` object parsed by the fields of the format's writer sink, `out` included. */
export type SliceWriterParams = Readonly<Record<string, unknown>> & {
  readonly out: string;
  readonly columns?: readonly string[];
};

/** The writer for a table `out`; undefined for `.npy`, which the spectrogram writes itself. */
export function sliceWriterFor(path: string): SliceWriter | undefined {
  const table = path.toLowerCase().endsWith('.npy') ? undefined : writerForPath(path);
  if (!table) return undefined;
  return {
    table,
    check: (params, schema) =>
      table.check(selectColumns(schema, params.columns, table.format), formatOptions(table, params)),
  };
}

/** The schema of the rows handed to the writer. */
export function sliceSchema(input: Schema, layout: SliceLayout): Schema {
  const axis = { name: 'frequency', unit: 'Hz', start: 0, step: (layout.sampleRate ?? 1) / layout.nfft };
  const values = (name: string): ColumnSchema => ({ name, dtype: 'float64', width: layout.bins, axis });
  const time: ColumnSchema = {
    name: 'time',
    dtype: 'float64',
    width: 1,
    ...(layout.sampleRate !== undefined ? { unit: 's' } : {}),
  };
  const metadata: Record<string, string> = { ...input.metadata };
  for (const [key, value] of Object.entries(layout.facts)) metadata[`spectrogram.${key}`] = String(value);
  if (layout.sampleRate !== undefined) metadata['spectrogram.sampleRate'] = String(layout.sampleRate);
  // JSON of doubles reads back to the same doubles: the exact frequencies, not start + j·step.
  metadata['spectrogram.frequencies'] = JSON.stringify(layout.frequencies);
  return {
    // No sampleRate or origin: the rows are time slices, not samples of the signal.
    columns: layout.complex ? [time, values('re'), values('im')] : [time, values('Sxx')],
    ...(input.source !== undefined ? { source: input.source } : {}),
    metadata,
  };
}

/** The writer's params: the user's `writer` object, `out`, and a row group of bounded bytes. */
export function sliceWriterParams(
  writer: SliceWriter,
  out: string,
  user: Readonly<Record<string, unknown>> | undefined,
  layout: Pick<SliceLayout, 'bins' | 'complex'>,
): SliceWriterParams {
  const { format } = writer.table;
  const raw: Record<string, unknown> = { ...user, out };
  if (format === 'parquet' && raw.rowGroupRows === undefined) {
    const perRow = 1 + layout.bins * (layout.complex ? 2 : 1);
    raw.rowGroupRows = Math.max(1, Math.floor(ROW_GROUP_VALUES / perRow));
  }
  const params = z.object({ ...writerFields, ...formatWriterFields[format] }).strict();
  const parsed = params.safeParse(raw);
  if (!parsed.success) {
    throw new SluiceError(
      'PARAMS_INVALID',
      `spectrogram: writer params for ${out}: ${parsed.error.message}`,
      {
        hint: `see the ${format} sink's params`,
      },
    );
  }
  return parsed.data;
}

/** The format's options of params parsed by its own fields (sliceWriterParams). */
function formatOptions(table: TableWriter, params: SliceWriterParams): TableWriteOptions {
  // The fields of `table.format` parsed them, so they are that format's options (and `out`).
  return { [table.format]: params } as TableWriteOptions;
}

/** A writer sink taking the spectrogram's slices batch by batch. */
export class SliceTable {
  private constructor(
    private readonly sink: SinkInstance,
    private readonly schema: Schema,
    private readonly layout: SliceLayout,
  ) {}

  /** Checks the writer's params against the slice schema, then opens it (its temporary file). */
  static async open(
    writer: SliceWriter,
    out: string,
    user: Readonly<Record<string, unknown>> | undefined,
    layout: SliceLayout,
    ctx: SinkContext,
  ): Promise<SliceTable> {
    const schema = sliceSchema(ctx.schema, layout);
    const params = sliceWriterParams(writer, out, user, layout);
    writer.check(params, schema);
    const columns = selectColumns(schema, params.columns, writer.table.format);
    // One row per time slice, not per input row: the row count is not known in advance.
    const target = { overwrite: ctx.overwrite };
    const encoder = await writer.table.open(
      out,
      columns,
      schema,
      formatOptions(writer.table, params),
      target,
    );
    return new SliceTable(createWriterSink([out], columns, encoder), schema, layout);
  }

  /**
   * Writes `count` slices: `times` seconds, `block` their values, F per slice (2F interleaved
   * re, im for complex, as the .npy path lays them out).
   */
  async write(times: Float64Array, block: Float64Array, count: number, firstSlice: number): Promise<void> {
    const { bins } = this.layout;
    const columns: Record<string, Column> = { time: { data: times, width: 1 } };
    if (this.layout.complex) {
      const re = new Float64Array(count * bins);
      const im = new Float64Array(count * bins);
      for (let i = 0; i < re.length; i++) {
        re[i] = block[2 * i];
        im[i] = block[2 * i + 1];
      }
      columns.re = { data: re, width: bins };
      columns.im = { data: im, width: bins };
    } else {
      columns.Sxx = { data: block, width: bins };
    }
    await this.sink.write({ schema: this.schema, columns, rows: count, start: firstSlice, history: 0 });
  }

  async finish(): Promise<void> {
    await this.sink.finish();
  }

  async abort(): Promise<void> {
    await this.sink.abort();
  }
}
