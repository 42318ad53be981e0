/**
 * The table reader reads each APT section as one width-k column; this splits those into the
 * named width-1 columns of reader.ts (a copy per batch for k > 1, a rename otherwise).
 */
import type { Batch, Column } from '../../core/batch.ts';
import { itemSizeOf } from '../../core/dtype.ts';
import type { Schema } from '../../core/schema.ts';
import type { OpenSource, ReadOptions } from '../../core/stage.ts';
import { gatherField, HOST_LITTLE_ENDIAN } from '../../io/decode.ts';
import type { AptOutputColumn } from './reader.ts';

/** `source` (section columns) delivering the `outputs` columns instead. */
export function splitSections(source: OpenSource, outputs: readonly AptOutputColumn[]): OpenSource {
  const schema: Schema = { ...source.schema, columns: outputs.map((o) => o.schema) };
  return {
    ...source,
    schema,
    close: () => source.close(),
    batches: (options: ReadOptions) => splitBatches(source.batches(options), schema, outputs),
  };
}

async function* splitBatches(
  batches: AsyncGenerator<Batch, void, undefined>,
  schema: Schema,
  outputs: readonly AptOutputColumn[],
): AsyncGenerator<Batch, void, undefined> {
  for await (const batch of batches) {
    // fromEntries defines own properties: a section or column named '__proto__' stays a column.
    const columns = Object.fromEntries(
      outputs.map((o): [string, Column] => [o.name, splitColumn(batch.columns[o.section], batch.rows, o)]),
    );
    yield { ...batch, schema, columns };
  }
}

/** Value `index` of every width-k record, as a width-1 column (the column itself when k = 1). */
export function splitColumn(
  column: Column,
  rows: number,
  o: Pick<AptOutputColumn, 'index' | 'width' | 'schema'>,
): Column {
  if (column.width === 1) return column;
  const { data } = column;
  const size = itemSizeOf(o.schema.dtype);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const field = {
    name: o.schema.name,
    dtype: o.schema.dtype,
    littleEndian: HOST_LITTLE_ENDIAN,
    width: 1,
    offset: o.index * size,
  };
  return { data: gatherField(bytes, rows, o.width * size, field), width: 1 };
}
