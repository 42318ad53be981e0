/**
 * Arrow IPC's flatbuffers (a message's metadata, the file footer) checked before apache-arrow
 * decodes them, as flatbuffers' own Verifier would: every table, vtable, string and vector
 * inside the buffer, every vector's length within the bytes left. apache-arrow trusts them: a
 * corrupt vector length of 2^31 made it loop for minutes building fields and blocks. Only the
 * tables apache-arrow walks are described (Message.fbs, Schema.fbs, File.fbs).
 */

/** One field of a table: a scalar of `size` bytes, or an offset to something checked by `check`. */
type FieldCheck = { readonly scalar: number } | { readonly ref: (fb: Flatbuffer, at: number) => void };

type TableCheck = readonly (FieldCheck | undefined)[];

const MAX_DEPTH = 64;

class Flatbuffer {
  private depth = 0;

  constructor(private readonly bytes: Uint8Array) {}

  private view = (): DataView =>
    new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);

  /** `size` bytes at `at` lie inside the buffer. */
  inside(at: number, size: number): void {
    if (!(Number.isSafeInteger(at) && at >= 0 && size >= 0 && at + size <= this.bytes.length)) {
      throw new RangeError(`flatbuffer: ${size} bytes at ${at} lie outside its ${this.bytes.length} bytes`);
    }
  }

  u32(at: number): number {
    this.inside(at, 4);
    return this.view().getUint32(at, true);
  }

  /** The position an offset field at `at` points to. */
  target(at: number): number {
    return at + this.u32(at);
  }

  /** The table at `at` and each of its present fields, checked as `fields` describes. */
  table(at: number, fields: TableCheck): void {
    if (++this.depth > MAX_DEPTH) throw new RangeError('flatbuffer: tables nested too deep');
    try {
      this.inside(at, 4);
      const vtable = at - this.view().getInt32(at, true);
      this.inside(vtable, 4);
      const vtableSize = this.view().getUint16(vtable, true);
      const tableSize = this.view().getUint16(vtable + 2, true);
      this.inside(vtable, vtableSize);
      this.inside(at, tableSize);
      const count = Math.max(0, (vtableSize - 4) >> 1);
      for (let k = 0; k < Math.min(count, fields.length); k++) {
        const offset = this.view().getUint16(vtable + 4 + 2 * k, true);
        const field = fields[k];
        if (offset === 0 || !field) continue;
        if ('scalar' in field) this.inside(at + offset, field.scalar);
        else field.ref(this, this.target(at + offset));
      }
    } finally {
      this.depth--;
    }
  }

  /** Where field `k` of the (checked) table at `at` is, undefined when absent. */
  fieldAt(at: number, k: number): number | undefined {
    const vtable = at - this.view().getInt32(at, true);
    const vtableSize = this.view().getUint16(vtable, true);
    if (4 + 2 * k + 2 > vtableSize) return undefined;
    const offset = this.view().getUint16(vtable + 4 + 2 * k, true);
    return offset === 0 ? undefined : at + offset;
  }

  byte(at: number): number {
    this.inside(at, 1);
    return this.bytes[at];
  }

  /** A vector at `at` of elements `size` bytes each, each checked by `each` when given. */
  vector(at: number, size: number, each?: (fb: Flatbuffer, at: number) => void): void {
    const length = this.u32(at);
    if (length * size > this.bytes.length - at - 4) {
      throw new RangeError(`flatbuffer: a vector of ${length} elements at ${at} runs past the buffer`);
    }
    if (each) for (let i = 0; i < length; i++) each(this, at + 4 + i * size);
  }
}

const scalar = (size: number): FieldCheck => ({ scalar: size });
const string: FieldCheck = { ref: (fb, at) => fb.vector(at, 1) };
const tableRef = (fields: () => TableCheck): FieldCheck => ({ ref: (fb, at) => fb.table(at, fields()) });
const tables = (fields: () => TableCheck): FieldCheck => ({
  ref: (fb, at) => fb.vector(at, 4, (f, p) => f.table(f.target(p), fields())),
});
const structs = (size: number): FieldCheck => ({ ref: (fb, at) => fb.vector(at, size) });

const KEY_VALUE: TableCheck = [string, string];
/**
 * Schema.fbs's type tables by Field.type_type: only Timestamp (its zone) and Union (its type
 * ids) hold more than scalars, which the table's own size covers.
 */
const TYPES: Record<number, TableCheck> = { 10: [scalar(2), string], 14: [scalar(2), structs(4)] };
const INT: TableCheck = [scalar(4), scalar(1)];
const DICTIONARY_ENCODING: TableCheck = [scalar(8), tableRef(() => INT), scalar(1), scalar(2)];
/** A Field: its type table is checked as its type_type (field 2) says. */
const FIELD_REF: FieldCheck = {
  ref: (fb, at) => {
    fb.table(at, FIELD);
    const typeAt = fb.fieldAt(at, 3);
    const typeTypeAt = fb.fieldAt(at, 2);
    if (typeAt !== undefined)
      fb.table(fb.target(typeAt), TYPES[typeTypeAt === undefined ? 0 : fb.byte(typeTypeAt)] ?? []);
  },
};
const FIELD: TableCheck = [
  string,
  scalar(1),
  scalar(1),
  undefined,
  tableRef(() => DICTIONARY_ENCODING),
  { ref: (fb, at) => fb.vector(at, 4, (f, p) => FIELD_REF.ref(f, f.target(p))) },
  tables(() => KEY_VALUE),
];
const SCHEMA: TableCheck = [
  scalar(2),
  { ref: (fb, at) => fb.vector(at, 4, (f, p) => FIELD_REF.ref(f, f.target(p))) },
  tables(() => KEY_VALUE),
  structs(8),
];
const BODY_COMPRESSION: TableCheck = [scalar(1), scalar(1)];
const RECORD_BATCH: TableCheck = [
  scalar(8),
  structs(16),
  structs(16),
  tableRef(() => BODY_COMPRESSION),
  structs(8),
];
const DICTIONARY_BATCH: TableCheck = [scalar(8), tableRef(() => RECORD_BATCH), scalar(1)];
const HEADERS: Record<number, TableCheck> = { 1: SCHEMA, 2: DICTIONARY_BATCH, 3: RECORD_BATCH };
const FOOTER: TableCheck = [
  scalar(2),
  tableRef(() => SCHEMA),
  structs(24),
  structs(24),
  tables(() => KEY_VALUE),
];

/** Throws a RangeError unless `bytes` is a well-formed Message flatbuffer (a schema, dictionary or record batch). */
export function checkMessage(bytes: Uint8Array): void {
  const fb = new Flatbuffer(bytes);
  const root = fb.target(0);
  // The header's table depends on header_type (field 1), read after the table is checked.
  let headerAt: number | undefined;
  fb.table(root, [
    scalar(2),
    scalar(1),
    { ref: (_, at) => void (headerAt = at) },
    scalar(8),
    tables(() => KEY_VALUE),
  ]);
  const type = headerType(bytes, root);
  if (headerAt !== undefined && HEADERS[type]) fb.table(headerAt, HEADERS[type]);
}

/** Throws a RangeError unless `bytes` is a well-formed Footer flatbuffer. */
export function checkFooter(bytes: Uint8Array): void {
  const fb = new Flatbuffer(bytes);
  fb.table(fb.target(0), FOOTER);
}

/** Message.header_type: field 1 of the root table (a ubyte), 0 when absent. */
function headerType(bytes: Uint8Array, root: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vtable = root - view.getInt32(root, true);
  if (view.getUint16(vtable, true) < 8) return 0;
  const offset = view.getUint16(vtable + 6, true);
  return offset === 0 ? 0 : bytes[root + offset];
}
