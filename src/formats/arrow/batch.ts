/**
 * Arrow record batches built from column chunks without copying (the typed arrays become
 * the Arrow buffers), and an IPC byte collector that lets a writer take the bytes apache-arrow
 * produced for one batch and write them out before producing more. Used by the `arrow`
 * sink and, through IPC, by the `parquet` sink (parquet-wasm reads Arrow IPC).
 */
import type {
  AsyncByteQueue,
  DataType,
  Field,
  FixedSizeList,
  RecordBatch,
  Schema as ArrowSchema,
} from 'apache-arrow';
import type { DType } from '../../core/dtype.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import type { ArrowModule } from '../../io/lazy.ts';
import type { ColumnChunk } from '../table-encoder.ts';

/** The Arrow type of a column type, one to one. */
export function toArrowType(arrow: ArrowModule, dtype: DType): DataType {
  switch (dtype) {
    case 'int8':
      return new arrow.Int8();
    case 'int16':
      return new arrow.Int16();
    case 'int32':
      return new arrow.Int32();
    case 'int64':
      return new arrow.Int64();
    case 'uint8':
      return new arrow.Uint8();
    case 'uint16':
      return new arrow.Uint16();
    case 'uint32':
      return new arrow.Uint32();
    case 'uint64':
      return new arrow.Uint64();
    case 'float32':
      return new arrow.Float32();
    case 'float64':
      return new arrow.Float64();
  }
}

/** A scalar column as its type, a width-k column as FixedSizeList<k>; unit and axis as field metadata. */
export function toArrowField(arrow: ArrowModule, column: ColumnSchema): Field {
  const metadata = new Map<string, string>();
  if (column.unit) metadata.set('unit', column.unit);
  if (column.axis) metadata.set('axis', JSON.stringify(column.axis));
  const type = toArrowType(arrow, column.dtype);
  if (column.width === 1) return new arrow.Field(column.name, type, false, metadata);
  return new arrow.Field(
    column.name,
    new arrow.FixedSizeList(column.width, new arrow.Field('item', type, false)),
    false,
    metadata,
  );
}

/** Schema-level key/value metadata: sampleRate, source, origin and the stream's own metadata. */
export function schemaMetadata(schema: Schema): Map<string, string> {
  const metadata = new Map<string, string>(Object.entries(schema.metadata ?? {}));
  if (schema.sampleRate !== undefined) metadata.set('sampleRate', String(schema.sampleRate));
  if (schema.source !== undefined) metadata.set('source', schema.source);
  if (schema.origin !== undefined) metadata.set('origin', String(schema.origin));
  const units = schema.columns.filter((c) => c.unit).map((c) => [c.name, c.unit]);
  if (units.length) metadata.set('units', JSON.stringify(Object.fromEntries(units)));
  return metadata;
}

export function toArrowSchema(
  arrow: ArrowModule,
  columns: readonly ColumnSchema[],
  schema: Schema,
): ArrowSchema {
  const fields = columns.map((column) => toArrowField(arrow, column));
  return new arrow.Schema(fields, schemaMetadata(schema));
}

/** A record batch whose buffers are the chunks' typed arrays (no copy). */
export function toRecordBatch(
  arrow: ArrowModule,
  schema: ArrowSchema,
  chunks: readonly ColumnChunk[],
  rows: number,
): RecordBatch {
  const children = chunks.map(({ column, data }, i) => {
    const field = schema.fields[i];
    if (column.width === 1) return arrow.makeData({ type: field.type, length: rows, nullCount: 0, data });
    const list = field.type as FixedSizeList;
    const child = arrow.makeData({ type: list.valueType, length: rows * column.width, nullCount: 0, data });
    return arrow.makeData({ type: list, length: rows, nullCount: 0, child });
  });
  const struct = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: rows,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(schema, struct);
}

/**
 * An IPC writer's sink that keeps the bytes of the last writes for the caller to take.
 * apache-arrow's own queue grows without bound when nobody reads it; with this one, a writer
 * writes one batch, takes its bytes, awaits the disk, and only then accepts the next batch.
 */
export interface IpcChunks extends AsyncByteQueue {
  /** The bytes written since the last call (views onto the batch's buffers: write them now). */
  take(): Uint8Array[];
}

let IpcChunksClass: (new () => IpcChunks) | undefined;

/** A new IpcChunks (the writer accepts only a subclass of apache-arrow's AsyncByteQueue). */
export function createIpcChunks(arrow: ArrowModule): IpcChunks {
  IpcChunksClass ??= class extends arrow.AsyncByteQueue implements IpcChunks {
    private chunks: Uint8Array[] = [];

    override write(value: Uint8Array | ArrayBufferView | ArrayBuffer | string): void {
      if (typeof value === 'string') value = Buffer.from(value, 'utf8');
      const bytes =
        value instanceof Uint8Array
          ? value
          : ArrayBuffer.isView(value)
            ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
            : new Uint8Array(value);
      if (bytes.byteLength > 0) this.chunks.push(bytes);
    }

    take(): Uint8Array[] {
      const taken = this.chunks;
      this.chunks = [];
      return taken;
    }
  };
  return new IpcChunksClass();
}
