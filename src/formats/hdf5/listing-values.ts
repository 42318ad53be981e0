/**
 * How the HDF5 listing (listing.ts) names types and shows attribute values: numpy's names for
 * numbers (float32, uint16, `>` marks big-endian), `S10` / `str` for fixed and variable
 * strings, compound types with their members, arrays as `float32[3]`; attribute values as
 * JSON, long arrays and strings cut (an attribute may hold megabytes).
 */
import type { Metadata } from 'h5wasm/node';

/** HDF5 type classes (H5T_class_t). */
const CLASS = {
  integer: 0,
  float: 1,
  time: 2,
  string: 3,
  bitfield: 4,
  opaque: 5,
  compound: 6,
  reference: 7,
  enum: 8,
  vlen: 9,
  array: 10,
} as const;

/** Values of an attribute array shown before the rest is cut. */
export const MAX_SHOWN_VALUES = 16;
/** Characters of an attribute string shown before the rest is cut. */
export const MAX_SHOWN_CHARS = 400;

/** The type of `meta` as numpy would name it. */
export function typeName(meta: Metadata | undefined, depth = 0): string {
  if (!meta) return 'unknown';
  if (depth > 8) return '…';
  const order = meta.size > 1 && !meta.littleEndian ? '>' : '';
  switch (meta.type) {
    case CLASS.integer:
      return `${order}${meta.signed ? 'int' : 'uint'}${meta.size * 8}`;
    case CLASS.float:
      return `${order}float${meta.size * 8}`;
    case CLASS.string:
      return meta.vlen ? `str${meta.cset === 1 ? ' (utf-8)' : ''}` : `S${meta.size}`;
    case CLASS.compound: {
      const members = meta.compound_type?.members ?? [];
      const shown = members.slice(0, MAX_SHOWN_VALUES).map((m) => `${m.name}: ${typeName(m, depth + 1)}`);
      if (members.length > shown.length) shown.push(`… ${members.length - shown.length} more`);
      return `compound {${shown.join(', ')}}`;
    }
    case CLASS.array: {
      const shape = (meta.array_type as (Metadata & { shape?: number[] }) | undefined)?.shape ?? [];
      return `${typeName(meta.array_type, depth + 1)}[${shape.join(', ')}]`;
    }
    case CLASS.enum:
      return `enum {${Object.keys(meta.enum_type?.members ?? {}).join(', ')}}`;
    case CLASS.vlen:
      return `vlen ${typeName(meta.vlen_type, depth + 1)}`;
    case CLASS.reference:
      return meta.ref_type === 'region' ? 'region reference' : 'object reference';
    case CLASS.bitfield:
      return `bitfield${meta.size * 8}`;
    case CLASS.opaque:
      return `opaque (${meta.size} bytes)`;
    case CLASS.time:
      return 'time';
    default:
      return `type class ${meta.type}`;
  }
}

/** A value as JSON data: typed arrays as arrays, bigints as strings (exact), long ones cut. */
export function shownValue(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') {
    return value.length > MAX_SHOWN_CHARS
      ? `${value.slice(0, MAX_SHOWN_CHARS)}… (${value.length} chars)`
      : value;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (depth > 4) return '…';
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    const items = Array.from(value as ArrayLike<unknown>);
    const shown = items.slice(0, MAX_SHOWN_VALUES).map((v) => shownValue(v, depth + 1));
    if (items.length > shown.length) shown.push(`… ${items.length} values`);
    return shown;
  }
  if (typeof value === 'object') {
    const ref = value as { ref_data?: Uint8Array };
    if (ref.ref_data) return '<reference>';
    return shownValue(String(value), depth + 1);
  }
  return String(value);
}
