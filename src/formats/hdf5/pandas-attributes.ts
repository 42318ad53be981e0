/**
 * What pandas and PyTables put in a `frame_table` HDF5 file besides the rows: the table's
 * fields, the groups and the attributes, written through h5wasm's low-level calls. Both ways
 * of writing the table use it: through h5wasm batch by batch (pandas-table.ts), and sized
 * before the run with the records written by sluice (pandas-skeleton.ts, pandas-region.ts).
 *
 * The low-level `h5wasm.Module` calls are used instead of the high-level API because pandas
 * needs exact attribute bytes (protocol-0 pickles in ASCII strings; the high-level API encodes
 * strings as UTF-8 and guesses types).
 */
import type { DType } from '../../core/dtype.ts';
import { itemSizeOf } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { ColumnSchema } from '../../core/schema.ts';
import type { H5wasmModule } from '../../io/lazy.ts';
import type { PickleDict, PickleValue } from './pickle0.ts';
import { pickle0 } from './pickle0.ts';

export type H5Module = Awaited<H5wasmModule['ready']>;
type WriteMetadata = Parameters<H5Module['create_dataset']>[3];

/** One scalar member of the table: a column, or one of a width-k column's k parts. */
export interface PandasField {
  readonly name: string;
  readonly dtype: DType;
}

/**
 * The table's value fields, in order. A width-k column becomes k columns `<name>_0 … <name>_{k-1}`
 * (a DataFrame has no vector-valued column); names must be unique and not `index`.
 */
export function pandasFields(columns: readonly ColumnSchema[]): PandasField[] {
  const fields: PandasField[] = [];
  for (const c of columns) {
    if (c.width === 1) fields.push({ name: c.name, dtype: c.dtype });
    else for (let j = 0; j < c.width; j++) fields.push({ name: `${c.name}_${j}`, dtype: c.dtype });
  }
  const seen = new Set<string>(['index']);
  for (const f of fields) {
    if (seen.has(f.name) || f.name.includes('/') || f.name.includes('\0')) {
      throw new SluiceError(
        'PARAMS_INVALID',
        `hdf5: layout pandas cannot name a column ${JSON.stringify(f.name)}` +
          (seen.has(f.name) ? ' (already taken: the index, or a width-k column split as <name>_<j>)' : ''),
        { hint: 'rename the column (e.g. with the select transform) or choose others with columns:' },
      );
    }
    seen.add(f.name);
  }
  return fields;
}

/** The bytes one record of the table takes: the int64 index, then every field, packed. */
export function pandasRowBytes(fields: readonly PandasField[]): number {
  return fields.reduce((n, f) => n + itemSizeOf(f.dtype), 8);
}

/** An attribute value: a string (`utf8`: a Python str; otherwise bytes, as pickles are) or a number. */
export type AttrValue =
  | { readonly kind: 'str'; readonly value: string; readonly utf8: boolean }
  | { readonly kind: 'num'; readonly dtype: DType; readonly value: number | bigint };

/** A named attribute. */
export type Attr = readonly [string, AttrValue];

export const str = (value: string): AttrValue => ({ kind: 'str', value, utf8: true });
const pickled = (value: PickleValue): AttrValue => ({ kind: 'str', value: pickle0(value), utf8: false });
export const num = (dtype: DType, value: number | bigint): AttrValue => ({ kind: 'num', dtype, value });

/** PyTables' attributes of a group it created (TITLE, an empty H5S_NULL string, is omitted). */
export const GROUP_ATTRIBUTES: readonly Attr[] = [
  ['CLASS', str('GROUP')],
  ['VERSION', str('1.0')],
];

/** pandas' attributes of the `/<key>` group for a frame_table with every column a data column. */
export function pandasGroupAttributes(fields: readonly PandasField[]): Attr[] {
  const names = fields.map((f) => f.name);
  return [
    ...GROUP_ATTRIBUTES,
    ['data_columns', pickled(names)],
    ['encoding', str('UTF-8')],
    ['errors', str('strict')],
    ['index_cols', pickled([{ tuple: [0, 'index'] }])],
    [
      'info',
      pickled({
        dict: [
          [
            1,
            {
              dict: [
                ['names', [null]],
                ['type', 'Index'],
              ],
            },
          ],
          ['index', { dict: [] }],
          ...names.map((n): [string, PickleDict] => [n, { dict: [] }]),
        ],
      }),
    ],
    ['levels', num('int64', 1n)],
    ['nan_rep', str('nan')],
    ['non_index_axes', pickled([{ tuple: [1, names] }])],
    ['pandas_type', str('frame_table')],
    ['pandas_version', str('0.15.2')],
    ['table_type', str('appendable_frame')],
    ['values_cols', pickled(names)],
  ];
}

/** PyTables' and pandas' attributes of the `/<key>/table` dataset. */
export function pandasTableAttributes(fields: readonly PandasField[], rows: number): Attr[] {
  const all: PandasField[] = [{ name: 'index', dtype: 'int64' }, ...fields];
  const zero = (dtype: DType) => num(dtype, dtype === 'int64' || dtype === 'uint64' ? 0n : 0);
  return [
    ['CLASS', str('TABLE')],
    ['VERSION', str('2.7')],
    ...all.flatMap((f, i): Attr[] => [
      [`FIELD_${i}_NAME`, str(f.name)],
      [`FIELD_${i}_FILL`, zero(f.dtype)],
    ]),
    ['NROWS', num('int64', BigInt(rows))],
    ['index_kind', str('integer')],
    ...fields.flatMap((f): Attr[] => [
      [`${f.name}_dtype`, str(f.dtype)],
      [`${f.name}_kind`, pickled([f.name])],
      [`${f.name}_meta`, pickled(null)],
    ]),
  ];
}

const H5S_UNLIMITED = 18446744073709551615n;

export interface PandasTableLayout {
  /** The pandas key: the table is `/<key>/table`. */
  readonly key: string;
  /** Rows per chunk. */
  readonly chunk: number;
  readonly compression: 'none' | 'gzip';
  readonly compressionLevel: number;
  /** NROWS as written now. */
  readonly rows: number;
}

/**
 * Writes the root's, the groups' and the table's attributes and creates `/<key>/table`,
 * empty (shape [0], extensible, chunked); returns the table's path. Throws IO_WRITE naming
 * `path` when libhdf5 refuses a call.
 */
export function createPandasObjects(
  m: H5Module,
  fileId: bigint,
  fields: readonly PandasField[],
  layout: PandasTableLayout,
  path: string,
): string {
  writeAttributes(m, fileId, '/', [['PYTABLES_FORMAT_VERSION', str('2.1')], ...GROUP_ATTRIBUTES], path);
  const parts = layout.key.split('/').filter(Boolean);
  let group = '';
  for (const [i, part] of parts.entries()) {
    group += `/${part}`;
    m.create_group(fileId, group, false);
    const last = i === parts.length - 1;
    writeAttributes(m, fileId, group, last ? pandasGroupAttributes(fields) : GROUP_ATTRIBUTES, path);
  }
  const tablePath = `${group}/table`;
  const members: Record<string, unknown>[] = [];
  let offset = 0;
  for (const f of [{ name: 'index', dtype: 'int64' as const }, ...fields]) {
    members.push({ ...scalarMetadata(m, f.dtype), name: f.name, offset });
    offset += itemSizeOf(f.dtype);
  }
  const gzip = layout.compression === 'gzip';
  const metadata = {
    type: m.H5T_class_t.H5T_COMPOUND.value,
    size: offset,
    total_size: 0,
    signed: false,
    littleEndian: true,
    vlen: false,
    compound_type: { members, nmembers: members.length },
    shape: [0n],
    maxshape: [H5S_UNLIMITED],
    chunks: [BigInt(layout.chunk)],
    compression: gzip ? 1 : 0,
    compression_opts: gzip ? [layout.compressionLevel] : [],
    track_order: false,
  } as unknown as WriteMetadata;
  const ptr = m._malloc(8);
  try {
    checkStatus(m.create_dataset(fileId, tablePath, BigInt(ptr), metadata), 'create', tablePath, path);
  } finally {
    m._free(ptr);
  }
  writeAttributes(m, fileId, tablePath, pandasTableAttributes(fields, layout.rows), path);
  return tablePath;
}

/** Scalar attributes with exactly the bytes given (fixed-length strings, no terminator). */
export function writeAttributes(
  m: H5Module,
  fileId: bigint,
  objectPath: string,
  attributes: readonly Attr[],
  path: string,
): void {
  for (const [name, attr] of attributes) {
    let bytes: Uint8Array;
    let meta: Record<string, unknown>;
    if (attr.kind === 'str') {
      bytes = attr.utf8 ? new TextEncoder().encode(attr.value) : latin1(attr.value);
      // cset 1 (UTF-8) is what PyTables gives a Python str (read back as str), 0 (ASCII) bytes.
      meta = {
        type: m.H5T_class_t.H5T_STRING.value,
        size: bytes.length,
        signed: false,
        cset: attr.utf8 ? 1 : 0,
      };
    } else {
      const size = itemSizeOf(attr.dtype);
      bytes = new Uint8Array(size);
      const view = new DataView(bytes.buffer);
      if (typeof attr.value === 'bigint') view.setBigInt64(0, attr.value, true);
      else if (attr.dtype === 'float32') view.setFloat32(0, attr.value, true);
      else if (attr.dtype === 'float64') view.setFloat64(0, attr.value, true);
      else bytes.fill(0); // integer fills are 0; only NROWS/levels carry values (int64, bigint)
      meta = scalarMetadata(m, attr.dtype);
    }
    const metadata = {
      littleEndian: true,
      vlen: false,
      total_size: 1,
      ...meta,
      shape: [],
      maxshape: [],
    } as unknown as WriteMetadata;
    const ptr = m._malloc(Math.max(1, bytes.length));
    try {
      m.HEAPU8.set(bytes, ptr);
      const status = m.create_attribute(fileId, objectPath, name, BigInt(ptr), metadata);
      checkStatus(status, `attribute ${name}`, objectPath, path);
    } finally {
      m._free(ptr);
    }
  }
}

/** A negative libhdf5 status as IO_WRITE. */
export function checkStatus(status: number, what: string, objectPath: string, path: string): void {
  if (status < 0) {
    throw new SluiceError('IO_WRITE', `hdf5 (pandas): ${what} failed on ${objectPath}`, { path });
  }
}

function scalarMetadata(m: H5Module, dtype: DType): Record<string, unknown> {
  const float = dtype === 'float32' || dtype === 'float64';
  return {
    type: float ? m.H5T_class_t.H5T_FLOAT.value : m.H5T_class_t.H5T_INTEGER.value,
    size: itemSizeOf(dtype),
    signed: float || dtype.startsWith('int'),
    littleEndian: true,
    vlen: false,
  };
}

/** A pickle0 string's bytes (all below 0x80 by construction). */
function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Chunks of at most this many bytes: what PyTables itself picks for a table of ~2 GB
 * (6898 rows of 76 bytes for 27 M rows), and small enough for HDF5's default 1 MiB chunk
 * cache while rows are appended through it.
 */
const MAX_CHUNK_BYTES = 512 * 1024;

/** Rows per chunk of a table of `rowBytes` records: `chunkRows`, capped at 512 KiB of records. */
export function pandasChunkRows(rowBytes: number, chunkRows: number): number {
  return Math.max(1, Math.min(chunkRows, Math.floor(MAX_CHUNK_BYTES / rowBytes)));
}
