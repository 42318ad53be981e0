/**
 * The encoders of the `hdf5` sink's `layout: columns`. h5wasm's Node build writes through the
 * real filesystem, so both grow the file at the temporary path on disk and memory holds only
 * a batch or two.
 *   - chunked: extensible datasets, resized and written batch by batch through h5wasm;
 *   - contiguous: the datasets are sized before the run from the known row count, and each
 *     batch's bytes go straight to their file offsets, behind the caller (region-writer.ts).
 */
import type { Dataset, File as H5File } from 'h5wasm/node';
import { itemSizeOf } from '../../core/dtype.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { abortAfter } from '../../io/atomic-file.ts';
import { allocateContiguous } from './allocate.ts';
import type { H5wasmModule } from '../../io/lazy.ts';
import { RegionWriter } from '../../io/region-writer.ts';
import type { ChunkedStorage, DatasetPlacement } from './datasets.ts';
import { createColumnDatasets } from './datasets.ts';
import type { SizedFor } from './sized-rows.ts';
import { SizedRows } from './sized-rows.ts';
import { writeSkeleton } from './skeleton.ts';
import type { ColumnChunk, TableEncoder } from '../table-encoder.ts';
import { toBytes } from '../table-encoder.ts';

export class ChunkedColumnsEncoder implements TableEncoder {
  private readonly h5: H5File;
  private readonly datasets: Dataset[];
  private rows = 0;
  private closed = false;

  constructor(
    h5wasm: H5wasmModule,
    private readonly file: AtomicFile,
    columns: readonly ColumnSchema[],
    schema: Schema,
    p: DatasetPlacement & ChunkedStorage,
  ) {
    this.h5 = new h5wasm.File(file.tempPath, 'w');
    try {
      this.datasets = createColumnDatasets(h5wasm, this.h5, columns, schema, p, p);
    } catch (error) {
      this.close(); // abort() is never called for an encoder that was not built
      throw error;
    }
  }

  write(chunks: readonly ColumnChunk[], rows: number): void {
    const end = this.rows + rows;
    chunks.forEach(({ column, data }, i) => {
      const dataset = this.datasets[i];
      dataset.resize(column.width === 1 ? [end] : [end, column.width]);
      dataset.write_slice(column.width === 1 ? [[this.rows, end]] : [[this.rows, end], []], data);
    });
    this.rows = end;
  }

  async finish(): Promise<void> {
    this.close();
    await this.file.commit();
  }

  async abort(): Promise<void> {
    await abortAfter(this.file, () => this.close());
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.h5.close();
  }
}

const SIZED_FOR: SizedFor = {
  what: 'datasets',
  hint: 'The input changed while it was read, or this is a bug: please report it (storage: chunked avoids sizing in advance).',
};

export class ContiguousColumnsEncoder implements TableEncoder {
  private constructor(private readonly sized: SizedRows) {}

  /** Creates the file's metadata with every dataset sized for `totalRows` rows. */
  static async open(
    file: AtomicFile,
    columns: readonly ColumnSchema[],
    schema: Schema,
    placement: DatasetPlacement,
    totalRows: number,
  ): Promise<ContiguousColumnsEncoder> {
    const rowBytes = columns.map((c) => itemSizeOf(c.dtype) * c.width);
    const headerAddresses = await writeSkeleton({
      path: file.tempPath,
      columns,
      sampleRate: schema.sampleRate,
      source: schema.source,
      placement: { group: placement.group, vaex: placement.vaex },
    });
    const offsets = await allocateContiguous(
      file.handle,
      file.tempPath,
      headerAddresses.map((headerAddress, i) => ({ headerAddress, rowBytes: rowBytes[i] })),
      totalRows,
    );
    const writer = await RegionWriter.open(file.handle, file.tempPath, offsets, file.path);
    return new ContiguousColumnsEncoder(new SizedRows(file, writer, totalRows, SIZED_FOR));
  }

  async write(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    this.sized.take(rows);
    // Each dataset's rows arrive in order, so appending to its region puts them in place.
    for (let i = 0; i < chunks.length; i++) await this.sized.writer.append(i, toBytes(chunks[i].data));
  }

  finish(): Promise<void> {
    return this.sized.finish();
  }

  abort(): Promise<void> {
    return this.sized.abort();
  }
}
