/**
 * numpy's `descr` (a type string or a structured list of fields) turned into the fields of
 * one record: name, element type, byte offset, width. Shared by every reader of .npy data.
 */
import { SluiceError } from '../../core/errors.ts';
import type { PyValue } from './py-literal.ts';
import { formatPyLiteral, isPySequence } from './py-literal.ts';
import type { NpyScalarType } from './header.ts';
import { parseNpyTypeString } from './header.ts';

export interface NpyField {
  readonly name: string;
  readonly type: NpyScalarType;
  /** Byte offset of the field in the record. */
  readonly offset: number;
  /** Values per record: the product of the field's subarray shape, 1 for a scalar. */
  readonly width: number;
}

export interface NpyDescr {
  /** Bytes per element (per record for a structured type), padding included. */
  readonly itemSize: number;
  /** True when descr is a list of fields. */
  readonly structured: boolean;
  /** The named, numeric fields; a plain type has one field named ''. */
  readonly fields: readonly NpyField[];
  /** descr as numpy writes it, for `sluice inspect`. */
  readonly text: string;
  /** 'none' when every field is one byte wide. */
  readonly byteOrder: 'little' | 'big' | 'mixed' | 'none';
}

/** Where errors point: the file and the byte offset of its header. */
interface Where {
  readonly path: string;
  readonly offset: number;
}

export function parseNpyDescr(descr: PyValue, path: string, offset: number): NpyDescr {
  const where = { path, offset };
  const text = formatPyLiteral(descr);
  if (typeof descr === 'string') {
    const type = parseNpyTypeString(descr, path, offset);
    const fields = [{ name: '', type, offset: 0, width: 1 }];
    return { itemSize: type.itemSize, structured: false, fields, text, byteOrder: byteOrderOf(fields) };
  }
  if (!isPySequence(descr) || descr.kind !== 'list') throw invalid(where, `descr ${text} is not a dtype`);
  const fields: NpyField[] = [];
  const names = new Set<string>(); // a Set: a 1 MB header may list ~70 000 fields
  let itemSize = 0;
  for (const item of descr.items) {
    const field = parseField(item, itemSize, where);
    itemSize += field.bytes;
    if (field.name === null) continue;
    if (names.has(field.name)) throw invalid(where, `field '${field.name}' appears twice`);
    names.add(field.name);
    fields.push({ name: field.name, type: field.type, offset: field.offset, width: field.width });
  }
  if (!Number.isSafeInteger(itemSize))
    throw invalid(where, `the record size ${itemSize} is beyond 2^53 bytes`);
  if (fields.length === 0) {
    throw new SluiceError('FORMAT_UNSUPPORTED', `${path}: the structured dtype has no numeric fields`, {
      ...where,
      hint: 'only named numeric fields become columns; padding and void fields are skipped',
    });
  }
  return { itemSize, structured: true, fields, text, byteOrder: byteOrderOf(fields) };
}

interface ParsedField {
  /** null for padding ('' names and void types), which only takes up bytes. */
  readonly name: string | null;
  readonly type: NpyScalarType;
  readonly offset: number;
  readonly width: number;
  readonly bytes: number;
}

/** One `(name, type)` or `(name, type, shape)` tuple of a structured descr. */
function parseField(item: PyValue, offset: number, where: Where): ParsedField {
  if (!isPySequence(item) || item.kind !== 'tuple' || item.items.length < 2 || item.items.length > 3) {
    throw invalid(where, `field ${formatPyLiteral(item)} is not a (name, type[, shape]) tuple`);
  }
  const [rawName, type, shape] = item.items;
  const name = fieldName(rawName, where);
  if (isPySequence(type)) {
    throw new SluiceError('FORMAT_UNSUPPORTED', `${where.path}: field '${name}' is a nested structure`, {
      ...where,
      hint: 'flatten the structured dtype in numpy (numpy.lib.recfunctions.structured_to_unstructured or one field per column)',
    });
  }
  if (typeof type !== 'string') throw invalid(where, `field '${name}' has no type string`);
  const width = shape === undefined ? 1 : subarrayWidth(shape, name, where);
  const voidSize = /^[<>|=]?V(\d+)$/.exec(type);
  if (width === 0) return { name: null, type: VOID, offset, width, bytes: 0 }; // a (0,) field holds nothing
  if (voidSize) {
    // Padding numpy inserts for aligned structs (or a named opaque blob): skip its bytes.
    return { name: null, type: VOID, offset, width, bytes: Number(voidSize[1]) * width };
  }
  const scalar = parseNpyTypeString(type, where.path, where.offset);
  return { name: name === '' ? null : name, type: scalar, offset, width, bytes: scalar.itemSize * width };
}

/** Placeholder type of skipped void fields; never becomes a column. */
const VOID: NpyScalarType = { dtype: 'uint8', littleEndian: true, itemSize: 1, isBool: false };

/** A field name, or the name of a `(title, name)` pair numpy writes for titled fields. */
function fieldName(raw: PyValue, where: Where): string {
  if (typeof raw === 'string') return raw;
  if (isPySequence(raw) && raw.items.length === 2 && typeof raw.items[1] === 'string') return raw.items[1];
  throw invalid(where, `field name ${formatPyLiteral(raw)} is not a string`);
}

/** A subarray field of shape (k,) is a width-k column; (a, b) flattens row-major to width a·b. */
function subarrayWidth(shape: PyValue, name: string, where: Where): number {
  if (!isPySequence(shape) || shape.kind !== 'tuple') {
    throw invalid(where, `field '${name}' has shape ${formatPyLiteral(shape)}, not a tuple`);
  }
  let width = 1;
  for (const d of shape.items) {
    if (typeof d !== 'number' || d < 0) throw invalid(where, `field '${name}' has a bad shape`);
    // Exact products only: a width beyond 2^53 values is no real field (and would round).
    if (d > 0 && width > Number.MAX_SAFE_INTEGER / d)
      throw invalid(where, `field '${name}' has more than 2^53 values`);
    width *= d;
  }
  return width;
}

function byteOrderOf(fields: readonly NpyField[]): NpyDescr['byteOrder'] {
  const wide = fields.filter((f) => f.type.itemSize > 1);
  if (wide.length === 0) return 'none';
  if (wide.every((f) => f.type.littleEndian)) return 'little';
  if (wide.every((f) => !f.type.littleEndian)) return 'big';
  return 'mixed';
}

function invalid(where: Where, message: string): SluiceError {
  return new SluiceError('FORMAT_INVALID', `${where.path}: bad .npy descr: ${message}`, {
    ...where,
    hint: 'descr must be a numpy type string or a list of (name, type[, shape]) tuples',
  });
}
