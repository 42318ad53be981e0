/**
 * Arrow columns, the reader side: which Arrow fields become sluice columns and how their
 * values arrive. Shared by the `arrow` source and the `parquet` source (parquet-wasm decodes
 * Parquet into Arrow). Numbers map one to one (Int8 → int8, Float32 → float32, ...); Bool →
 * uint8 0/1; Timestamp → int64 with its unit in the schema; Date32 → int32 days, Date64 →
 * int64 ms; FixedSizeList<k> of numbers → a width-k column. Everything else (strings,
 * binary, decimals, nested lists, structs, dictionaries, float16) is listed as unsupported,
 * refused only when selected.
 */
import type { Data, DataType, Field, FixedSizeList, Schema as ArrowSchema, Timestamp } from 'apache-arrow';
import type { DType, TypedArray } from '../../core/dtype.ts';
import { allocArray, DTYPES, isFloatDType } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { ColumnSchema } from '../../core/schema.ts';

/** What to do with a null in a column whose type has no NaN (integers, bool, timestamps). */
export type NullPolicy = 'error' | 'zero';

/** A field sluice reads: its index in the Arrow schema and the column it becomes. */
export interface ReadableField {
  readonly index: number;
  readonly column: ColumnSchema;
  /** Bool: values arrive bit-packed and are unpacked to 0/1. */
  readonly bool: boolean;
}

/** A field sluice cannot read, with its Arrow type as text (for `inspect`). */
export interface UnsupportedField {
  readonly name: string;
  readonly type: string;
}

export interface FieldPlan {
  readonly readable: readonly ReadableField[];
  readonly unsupported: readonly UnsupportedField[];
}

/** Arrow's Type ids used here (apache-arrow's `Type` enum, fixed by the format). */
const TYPE = { Int: 2, Float: 3, Bool: 6, Date: 8, Timestamp: 10, FixedSizeList: 16 } as const;
const PRECISION_DTYPE: Record<number, DType | undefined> = { 1: 'float32', 2: 'float64' };
const TIME_UNITS = ['s', 'ms', 'us', 'ns'] as const;

/** The sluice dtype and unit of an Arrow scalar type; undefined when sluice cannot read it. */
export function scalarOf(type: DataType): { dtype: DType; unit?: string; bool?: boolean } | undefined {
  switch (type.typeId as number) {
    case TYPE.Int: {
      const { isSigned, bitWidth } = type as unknown as { isSigned: boolean; bitWidth: number };
      const dtype = `${isSigned ? 'int' : 'uint'}${bitWidth}`;
      // A corrupt schema can claim any width; only the four real ones are types.
      return (DTYPES as readonly string[]).includes(dtype) ? { dtype: dtype as DType } : undefined;
    }
    case TYPE.Float: {
      const dtype = PRECISION_DTYPE[(type as unknown as { precision: number }).precision];
      return dtype ? { dtype } : undefined;
    }
    case TYPE.Bool:
      return { dtype: 'uint8', bool: true };
    case TYPE.Date:
      return (type as unknown as { unit: number }).unit === 0
        ? { dtype: 'int32', unit: 'days since 1970-01-01' }
        : { dtype: 'int64', unit: 'ms since 1970-01-01' };
    case TYPE.Timestamp: {
      const ts = type as unknown as Timestamp;
      const zone = ts.timezone ? ` UTC (${ts.timezone})` : '';
      return { dtype: 'int64', unit: `${TIME_UNITS[ts.unit]} since 1970-01-01${zone}` };
    }
    default:
      return undefined;
  }
}

/** Which fields of `schema` sluice reads, and which it cannot (with their types). */
export function planFields(schema: ArrowSchema): FieldPlan {
  const readable: ReadableField[] = [];
  const unsupported: UnsupportedField[] = [];
  schema.fields.forEach((field: Field, index) => {
    const plan = readableField(field, index);
    if (plan) readable.push(plan);
    else unsupported.push({ name: field.name, type: String(field.type) });
  });
  return { readable, unsupported };
}

function readableField(field: Field, index: number): ReadableField | undefined {
  let type: DataType = field.type;
  let width = 1;
  if ((type.typeId as number) === TYPE.FixedSizeList) {
    const list = type as FixedSizeList;
    width = list.listSize;
    type = list.valueType;
    // A list of bools or timestamps has no use yet; keep the mapping small.
    if ((type.typeId as number) !== TYPE.Int && (type.typeId as number) !== TYPE.Float) return undefined;
    if (width < 1) return undefined;
  }
  const scalar = scalarOf(type);
  if (!scalar) return undefined;
  const unit = field.metadata.get('unit') ?? scalar.unit;
  const column: ColumnSchema = { name: field.name, dtype: scalar.dtype, width, ...(unit ? { unit } : {}) };
  return { index, column, bool: scalar.bool ?? false };
}

/**
 * The fields named by `columns` (all readable ones when absent), in the order given. A name
 * that is no field is COLUMN_UNKNOWN; a field of an unsupported type is FORMAT_UNSUPPORTED.
 */
export function selectFields(
  plan: FieldPlan,
  columns: readonly string[] | undefined,
  path: string,
): ReadableField[] {
  if (!columns) return [...plan.readable];
  return columns.map((name) => {
    const found = plan.readable.find((f) => f.column.name === name);
    if (found) return found;
    const bad = plan.unsupported.find((f) => f.name === name);
    if (bad) {
      throw new SluiceError(
        'FORMAT_UNSUPPORTED',
        `${path}: column '${name}' is ${bad.type}, which sluice does not read`,
        {
          path,
          subject: name,
          hint: 'sluice reads numbers, booleans, dates and timestamps; leave this column out of `columns`',
        },
      );
    }
    const names = [...plan.readable.map((f) => f.column.name), ...plan.unsupported.map((f) => f.name)];
    throw new SluiceError('COLUMN_UNKNOWN', `${path}: no column '${name}'`, {
      path,
      subject: name,
      hint: `Columns: ${names.join(', ')}.`,
    });
  });
}

/**
 * The values of one Arrow `Data` of a readable field, as a typed array of `length × width`
 * values (a view where the buffer can be used as is, a copy where nulls or bits need work).
 * Nulls are NaN in float columns; in others `nulls` decides.
 */
export function valuesOf(
  data: Data | undefined,
  field: ReadableField,
  nulls: NullPolicy,
  path: string,
): TypedArray {
  const { column } = field;
  checkBuffers(data, field, path);
  const length = data.length;
  const values = field.bool
    ? unpackBits(data.values as Uint8Array, data.offset, length)
    : leafValues(data, column.width);
  if (data.nullCount === 0 || !data.nullBitmap) return values;
  return withNulls(values, data.nullBitmap, data.offset, length, column, nulls, path);
}

/**
 * The buffers hold what the lengths claim: a corrupt file's lengths must not drive a loop or
 * an allocation (a batch claiming 10^9 rows over a few bytes).
 */
function checkBuffers(data: Data | undefined, field: ReadableField, path: string): asserts data is Data {
  const short = (what: string) =>
    new SluiceError('FORMAT_INVALID', `${path}: column '${field.column.name}': ${what}`, {
      path,
      subject: field.column.name,
      hint: 'the file is corrupt or truncated',
    });
  if (!data) throw short('missing from a record batch');
  const { length, offset, width } = { length: data.length, offset: data.offset, width: field.column.width };
  if (!(Number.isSafeInteger(length) && length >= 0 && Number.isSafeInteger(offset) && offset >= 0)) {
    throw short(`bad length ${length} at offset ${offset}`);
  }
  const bits = (buffer: unknown) => (ArrayBuffer.isView(buffer) ? buffer.byteLength * 8 : 0);
  if (data.nullCount > 0 && bits(data.nullBitmap) < offset + length)
    throw short('null bitmap shorter than the rows');
  if (field.bool) {
    if (bits(data.values) < offset + length) throw short('values shorter than the rows');
    return;
  }
  const leaf = width === 1 ? data : data.children[0];
  const values = leaf?.values as TypedArray | undefined;
  const need = width === 1 ? length : (offset + length) * width;
  if (!ArrayBuffer.isView(values) || values.length < need) throw short('values shorter than the rows');
  if (width > 1 && leaf.nullCount > 0 && bits(leaf.nullBitmap) < leaf.offset + leaf.length) {
    throw short('null bitmap shorter than the values');
  }
}

function leafValues(data: Data, width: number): TypedArray {
  if (width === 1) return (data.values as TypedArray).subarray(0, data.length);
  const child = data.children[0];
  if (child.nullCount > 0) {
    // Nulls inside a fixed-size list: floats can carry them as NaN; Arrow JS keeps the child offset.
    const values = (child.values as TypedArray).subarray(0, child.length);
    if (values instanceof Float64Array || values instanceof Float32Array) {
      const out = values.slice();
      forEachNull(child.nullBitmap as Uint8Array, child.offset, child.length, (i) => (out[i] = NaN));
      return out.subarray(data.offset * width, (data.offset + data.length) * width);
    }
  }
  return (child.values as TypedArray).subarray(data.offset * width, (data.offset + data.length) * width);
}

/** Bits [offset, offset + length) of an Arrow bitmap as 0/1 bytes. */
export function unpackBits(bits: Uint8Array, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const bit = offset + i;
    out[i] = (bits[bit >> 3] >> (bit & 7)) & 1;
  }
  return out;
}

function forEachNull(bitmap: Uint8Array, offset: number, length: number, fn: (i: number) => void): void {
  for (let i = 0; i < length; i++) {
    const bit = offset + i;
    if (((bitmap[bit >> 3] >> (bit & 7)) & 1) === 0) fn(i);
  }
}

function withNulls(
  values: TypedArray,
  bitmap: Uint8Array,
  offset: number,
  length: number,
  column: ColumnSchema,
  nulls: NullPolicy,
  path: string,
): TypedArray {
  const width = column.width;
  if (!isFloatDType(column.dtype) && nulls === 'error') {
    throw new SluiceError('DATA_INVALID', `${path}: column '${column.name}' (${column.dtype}) holds nulls`, {
      path,
      subject: column.name,
      hint: 'an integer has no NaN: set `nulls: zero` to read them as 0, or leave the column out of `columns`',
    });
  }
  const out = allocArray(column.dtype, values.length);
  out.set(values as never);
  const fill = isFloatDType(column.dtype) ? NaN : typeof out[0] === 'bigint' ? 0n : 0;
  forEachNull(bitmap, offset, length, (i) =>
    (out as unknown as (number | bigint)[]).fill(fill, i * width, (i + 1) * width),
  );
  return out;
}
