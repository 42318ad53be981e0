import type { RecordBatchWriter, Schema as ArrowSchema } from 'apache-arrow';
import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import type { AtomicFile } from '../io/atomic-file.ts';
import { createAtomicFile } from '../io/atomic-file.ts';
import type { ArrowModule } from '../io/lazy.ts';
import { loadArrow } from '../io/lazy.ts';
import type { IpcChunks } from '../formats/arrow/batch.ts';
import { createIpcChunks, toArrowSchema, toRecordBatch } from '../formats/arrow/batch.ts';
import type { ColumnChunk, TableEncoder } from '../formats/table-encoder.ts';
import { createWriterSink, selectColumns, writerFields } from '../adapters/writer-sink.ts';

const params = z
  .object({
    ...writerFields,
    format: z
      .enum(['auto', 'file', 'stream'])
      .default('auto')
      .describe(
        'IPC file format (random access; .arrow, .feather) or stream format (.arrows); auto chooses by extension.',
      ),
  })
  .strict()
  .describe(
    'Writes Arrow IPC (pyarrow, Polars, DuckDB and pandas open it): one record batch per input batch, built ' +
      'from the typed arrays without copying; width-k columns as FixedSizeList<k>; units per field and ' +
      'sampleRate, source and origin as schema metadata. No compression, so readers can memory-map it.',
  );

export type ArrowParams = z.output<typeof params>;

export default defineStage({
  name: 'arrow',
  kind: 'sink',
  params,
  outputs: (p) => [p.out],
  check: (p, schema) => void selectColumns(schema, p.columns, 'arrow'),
  create: async (p, ctx) => {
    const columns = selectColumns(ctx.schema, p.columns, 'arrow');
    const arrow = await loadArrow();
    const file = await createAtomicFile(p.out, { overwrite: ctx.overwrite });
    const schema = toArrowSchema(arrow, columns, ctx.schema);
    return createWriterSink([p.out], columns, new ArrowEncoder(arrow, file, schema, ipcFormatOf(p)));
  },
});

/** `stream` for .arrows, `file` otherwise, unless the params say. */
export function ipcFormatOf(p: Pick<ArrowParams, 'format' | 'out'>): 'file' | 'stream' {
  if (p.format !== 'auto') return p.format;
  return p.out.toLowerCase().endsWith('.arrows') ? 'stream' : 'file';
}

class ArrowEncoder implements TableEncoder {
  private readonly writer: RecordBatchWriter;
  private readonly sink: IpcChunks;

  constructor(
    private readonly arrow: ArrowModule,
    private readonly file: AtomicFile,
    private readonly schema: ArrowSchema,
    format: 'file' | 'stream',
  ) {
    this.sink = createIpcChunks(arrow);
    this.writer = format === 'file' ? new arrow.RecordBatchFileWriter() : new arrow.RecordBatchStreamWriter();
    // Our sink replaces apache-arrow's queue, which would hold every batch until read.
    this.writer.reset(this.sink, schema);
  }

  async write(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    this.writer.write(toRecordBatch(this.arrow, this.schema, chunks, rows));
    await this.drain();
  }

  async finish(): Promise<void> {
    // An empty input still gets a valid file: the schema (written by reset) and the footer.
    this.writer.finish();
    await this.drain();
    await this.file.commit();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }

  /** Writes what the IPC writer produced; the batch's buffers are written before write() returns. */
  private async drain(): Promise<void> {
    for (const chunk of this.sink.take()) await this.file.write(chunk);
  }
}
