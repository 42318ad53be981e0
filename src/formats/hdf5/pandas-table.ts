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
 * speed up `where=` queries and need PyTables to build: `where=` queries scan the table.
 *
 * Two writers: when the row count is known and nothing is compressed, pandas-region.ts sizes
 * the table before the run and writes the records itself; otherwise this one appends each
 * batch through h5wasm (extend, then write the hyperslab), the rows packed once per batch.
 */
import type { ColumnSchema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { abortAfter } from '../../io/atomic-file.ts';
import type { H5wasmModule } from '../../io/lazy.ts';
import type { ColumnChunk, TableEncoder } from '../table-encoder.ts';
import type { H5Module } from './pandas-attributes.ts';
import {
  checkStatus,
  createPandasObjects,
  num,
  pandasChunkRows,
  pandasFields,
  pandasRowBytes,
  writeAttributes,
} from './pandas-attributes.ts';
import { PandasRecordPacker } from './pandas-records.ts';

export type { PandasField } from './pandas-attributes.ts';
export {
  GROUP_ATTRIBUTES,
  pandasFields,
  pandasGroupAttributes,
  pandasTableAttributes,
} from './pandas-attributes.ts';
export type { Attr, AttrValue } from './pandas-attributes.ts';

type H5wasm = Pick<H5wasmModule, 'File' | 'ready'>;

export interface PandasTableOptions {
  /** The pandas key: the table is `/<key>/table`. */
  readonly key: string;
  readonly chunkRows: number;
  readonly compression: 'none' | 'gzip';
  readonly compressionLevel: number;
}

/**
 * Appends each batch's rows to `/<key>/table` (extend, then write the hyperslab), so memory
 * holds one packed batch and HDF5's chunk cache whatever the row count. The index column is
 * the row number 0, 1, … (pandas reads it as an Int64Index).
 */
export class PandasTableEncoder implements TableEncoder {
  private readonly h5: InstanceType<H5wasm['File']>;
  private readonly fileId: bigint;
  private tablePath = '';
  private readonly packer: PandasRecordPacker;
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
    private readonly module: H5Module,
    private readonly file: AtomicFile,
    columns: readonly ColumnSchema[],
    options: PandasTableOptions,
  ) {
    const fields = pandasFields(columns);
    this.packer = new PandasRecordPacker(columns);
    this.h5 = new h5wasm.File(file.tempPath, 'w');
    this.fileId = this.h5.file_id;
    try {
      const chunk = pandasChunkRows(pandasRowBytes(fields), options.chunkRows);
      const layout = { ...options, chunk, rows: 0 };
      this.tablePath = createPandasObjects(module, this.fileId, fields, layout, file.tempPath);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  write(chunks: readonly ColumnChunk[], rows: number): void {
    const packed = this.packer.pack(chunks, 0, rows, this.rows);
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
    const nrows = num('int64', BigInt(this.rows));
    writeAttributes(this.module, this.fileId, this.tablePath, [['NROWS', nrows]], this.file.tempPath);
    this.close();
    await this.file.commit();
  }

  async abort(): Promise<void> {
    await abortAfter(this.file, () => this.close());
  }

  private check(status: number, what: string): void {
    checkStatus(status, what, this.tablePath, this.file.tempPath);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.h5.close();
  }
}
