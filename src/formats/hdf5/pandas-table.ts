/**
 * The HDF5 sink's `layout: pandas`: the PyTables TABLE that
 * `pandas.HDFStore.append(key, df, format='table', data_columns=True, index=False)` writes, so
 * `pandas.read_hdf(path, key)` and `HDFStore.select(key, iterator=True, chunksize=n)` return our
 * rows. Compared attribute by attribute with test/fixtures/pandas/table-data-columns.h5.
 *
 * Why data_columns: pandas' default layout packs same-dtype columns into `values_block_N` ARRAY
 * members, which h5wasm 0.10.3 cannot create (its H5T_ARRAY write path is commented out). With
 * data_columns=True pandas writes one scalar member per column, which h5wasm can; pandas reads
 * both layouts alike. `index=False` because PyTables' column indexes (`/<key>/_i_table`) only
 * speed up `where=` queries and need PyTables to build.
 *
 * The low-level `h5wasm.Module` calls are used instead of the high-level API because pandas
 * needs exact attribute bytes (protocol-0 pickles in ASCII strings; the high-level API encodes
 * strings as UTF-8 and guesses types) and because the high-level compound write interleaves
 * rows with a subarray per value; here rows are packed once per batch by a `RecordPacker`.
 */
import type { DType } from '../../core/dtype.ts';
import { itemSizeOf } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { ColumnSchema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { abortAfter } from '../../io/atomic-file.ts';
import type { H5wasmModule } from '../../io/lazy.ts';
import type { PickleDict, PickleValue } from './pickle0.ts';
import { pickle0 } from './pickle0.ts';
import type { ColumnChunk, TableEncoder } from '../table-encoder.ts';
import { RecordPacker } from '../table-encoder.ts';

type H5wasm = Pick<H5wasmModule, 'File' | 'ready'>;
type H5Module = Awaited<H5wasm['ready']>;
type WriteMetadata = Parameters<H5Module['create_dataset']>[3];

/** One scalar member of the table: a column, or one of a width-k column's k parts. */
export interface PandasField {
  readonly name: string;
  readonly dtype: DType;
}

export interface PandasTableOptions {
  /** The pandas key: the table is `/<key>/table`. */
  readonly key: string;
  readonly chunkRows: number;
  readonly compression: 'none' | 'gzip';
  readonly compressionLevel: number;
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

/** An attribute value: a string (`utf8`: a Python str; otherwise bytes, as pickles are) or a number. */
export type AttrValue =
  | { readonly kind: 'str'; readonly value: string; readonly utf8: boolean }
  | { readonly kind: 'num'; readonly dtype: DType; readonly value: number | bigint };

/** A named attribute. */
export type Attr = readonly [string, AttrValue];

const str = (value: string): AttrValue => ({ kind: 'str', value, utf8: true });
const pickled = (value: PickleValue): AttrValue => ({ kind: 'str', value: pickle0(value), utf8: false });
const num = (dtype: DType, value: number | bigint): AttrValue => ({ kind: 'num', dtype, value });

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

/** PyTables' and pandas' attributes of the `/<key>/table` dataset (NROWS set at the end). */
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
/** Chunks at most this big stay in HDF5's default 1 MiB chunk cache while rows are appended. */
const MAX_CHUNK_BYTES = 512 * 1024;

/**
 * Appends each batch's rows to `/<key>/table` (extend, then write the hyperslab), so memory
 * holds one packed batch and HDF5's chunk cache whatever the row count. The index column is
 * the row number 0, 1, … (pandas reads it as an Int64Index).
 */
export class PandasTableEncoder implements TableEncoder {
  private readonly h5: InstanceType<H5wasm['File']>;
  private readonly module: H5Module;
  private readonly fileId: bigint;
  private tablePath = '';
  private readonly packer = new RecordPacker();
  private readonly fields: PandasField[];
  private index = new BigInt64Array(0);
  private rows = 0;
  private closed = false;

  /** `h5wasm` is passed in (only its type is imported) so the hdf5 sink decides how it loads. */
  static async open(
    h5wasm: H5wasm,
    file: AtomicFile,
    columns: readonly ColumnSchema[],
    options: PandasTableOptions,
  ): Promise<PandasTableEncoder> {
    return new PandasTableEncoder(h5wasm, await h5wasm.ready, file, columns, options);
  }

  private constructor(
    h5wasm: H5wasm,
    module: H5Module,
    private readonly file: AtomicFile,
    columns: readonly ColumnSchema[],
    options: PandasTableOptions,
  ) {
    this.fields = pandasFields(columns);
    this.module = module;
    this.h5 = new h5wasm.File(file.tempPath, 'w');
    this.fileId = this.h5.file_id;
    try {
      this.writeAttributes('/', [['PYTABLES_FORMAT_VERSION', str('2.1')], ...GROUP_ATTRIBUTES]);
      const parts = options.key.split('/').filter(Boolean);
      let path = '';
      for (const [i, part] of parts.entries()) {
        path += `/${part}`;
        this.module.create_group(this.fileId, path, false);
        const last = i === parts.length - 1;
        this.writeAttributes(path, last ? pandasGroupAttributes(this.fields) : GROUP_ATTRIBUTES);
      }
      this.tablePath = `${path}/table`;
      this.createTable(options);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  write(chunks: readonly ColumnChunk[], rows: number): void {
    if (this.index.length < rows) this.index = new BigInt64Array(rows);
    const index = this.index.subarray(0, rows);
    for (let r = 0; r < rows; r++) index[r] = BigInt(this.rows + r);
    const indexChunk: ColumnChunk = { column: { name: 'index', dtype: 'int64', width: 1 }, data: index };
    const packed = this.packer.pack([indexChunk, ...chunks], rows);
    const end = this.rows + rows;
    const m = this.module;
    this.check(m.resize_dataset(this.fileId, this.tablePath, [BigInt(end)]), 'resize');
    const ptr = m._malloc(packed.length);
    try {
      m.HEAPU8.set(packed, ptr);
      this.check(
        m.set_dataset_data(
          this.fileId,
          this.tablePath,
          [BigInt(rows)],
          [BigInt(this.rows)],
          [1n],
          BigInt(ptr),
        ),
        'write',
      );
    } finally {
      m._free(ptr);
    }
    this.rows = end;
  }

  async finish(): Promise<void> {
    this.module.delete_attribute(this.fileId, this.tablePath, 'NROWS');
    this.writeAttributes(this.tablePath, [['NROWS', num('int64', BigInt(this.rows))]]);
    this.close();
    await this.file.commit();
  }

  async abort(): Promise<void> {
    await abortAfter(this.file, () => this.close());
  }

  private createTable(options: PandasTableOptions): void {
    const m = this.module;
    const members: Record<string, unknown>[] = [];
    let offset = 0;
    for (const f of [{ name: 'index', dtype: 'int64' as const }, ...this.fields]) {
      members.push({ ...scalarMetadata(m, f.dtype), name: f.name, offset });
      offset += itemSizeOf(f.dtype);
    }
    const chunk = Math.max(1, Math.min(options.chunkRows, Math.floor(MAX_CHUNK_BYTES / offset)));
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
      chunks: [BigInt(chunk)],
      compression: options.compression === 'gzip' ? 1 : 0,
      compression_opts: options.compression === 'gzip' ? [options.compressionLevel] : [],
      track_order: false,
    } as unknown as WriteMetadata;
    const ptr = m._malloc(8);
    try {
      this.check(m.create_dataset(this.fileId, this.tablePath, BigInt(ptr), metadata), 'create');
    } finally {
      m._free(ptr);
    }
    this.writeAttributes(this.tablePath, pandasTableAttributes(this.fields, 0));
  }

  /** Scalar attributes with exactly the bytes given (fixed-length strings, no terminator). */
  private writeAttributes(path: string, attributes: readonly Attr[]): void {
    const m = this.module;
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
        this.check(m.create_attribute(this.fileId, path, name, BigInt(ptr), metadata), `attribute ${name}`);
      } finally {
        m._free(ptr);
      }
    }
  }

  private check(status: number, what: string): void {
    if (status < 0) {
      throw new SluiceError('IO_WRITE', `hdf5 (pandas): ${what} failed on ${this.tablePath || '/'}`, {
        path: this.file.tempPath,
      });
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.h5.close();
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
