import { z } from 'zod';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import type { AtomicFile } from '../io/atomic-file.ts';
import { createAtomicFile } from '../io/atomic-file.ts';
import { formatDafDenseYaml } from '../formats/daf/format.ts';
import type { ColumnChunk, TableEncoder } from '../formats/table-encoder.ts';
import { RecordPacker, toBytes } from '../formats/table-encoder.ts';
import { createWriterSink, selectColumns, writerFields } from '../adapters/writer-sink.ts';

const params = z
  .object({
    ...writerFields,
    out: z
      .string()
      .min(1)
      .describe('Base path: `<out>.array` (the data) and `<out>.yaml` (its description) are written.'),
  })
  .strict()
  .describe(
    'Writes a dense DataAxesFormats (daf) array: `<out>.array` holds the raw little-endian values, 2-D ' +
      'row-major (rows × the summed widths of the columns; 1-D for a single width-1 column), and `<out>.yaml` ' +
      'holds `version: [1, 0]`, `dtype` and `shape`. Every column written must have the same dtype.',
  );

export type DafWriterParams = z.output<typeof params>;

export default defineStage({
  name: 'daf',
  kind: 'sink',
  params,
  outputs: (p) => dafOutputs(p.out),
  check: (p, schema) => void dafColumns(p, schema),
  create: async (p, ctx) => {
    const columns = dafColumns(p, ctx.schema);
    const [arrayPath, yamlPath] = dafOutputs(p.out);
    const array = await createAtomicFile(arrayPath, { overwrite: ctx.overwrite });
    try {
      const yaml = await createAtomicFile(yamlPath, { overwrite: ctx.overwrite });
      return createWriterSink([arrayPath, yamlPath], columns, new DafEncoder(array, yaml, columns));
    } catch (error) {
      await array.abort();
      throw error;
    }
  },
});

/** `<base>.array` and `<base>.yaml`. */
export function dafOutputs(base: string): [string, string] {
  return [`${base}.array`, `${base}.yaml`];
}

/** The columns written; one dtype for all (a daf array has one element type). */
export function dafColumns(p: DafWriterParams, schema: Schema): ColumnSchema[] {
  const columns = selectColumns(schema, p.columns, 'daf');
  const dtypes = [...new Set(columns.map((c) => c.dtype))];
  if (dtypes.length > 1) {
    throw new SluiceError('PARAMS_INVALID', `daf: the columns have several dtypes (${dtypes.join(', ')})`, {
      hint: 'a daf array has one element type: choose columns of one dtype with `columns:`, or cast first',
    });
  }
  return columns;
}

/** The array's shape: [rows] for one width-1 column, [rows, summed widths] otherwise. */
export function dafShape(columns: readonly ColumnSchema[], rows: number): number[] {
  const width = columns.reduce((sum, c) => sum + c.width, 0);
  return columns.length === 1 && width === 1 ? [rows] : [rows, width];
}

class DafEncoder implements TableEncoder {
  private rows = 0;
  private readonly packer = new RecordPacker();

  constructor(
    private readonly array: AtomicFile,
    private readonly yaml: AtomicFile,
    private readonly columns: readonly ColumnSchema[],
  ) {}

  async write(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    await this.array.write(chunks.length === 1 ? toBytes(chunks[0].data) : this.packer.pack(chunks, rows));
    this.rows += rows;
  }

  async finish(): Promise<void> {
    await this.yaml.write(formatDafDenseYaml(this.columns[0].dtype, dafShape(this.columns, this.rows)));
    // The data first: a .yaml under its final name promises a complete .array beside it.
    await this.array.commit();
    await this.yaml.commit();
  }

  async abort(): Promise<void> {
    await Promise.all([this.array.abort(), this.yaml.abort()]);
  }
}
