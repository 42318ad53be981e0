/**
 * Batches of HDF5 datasets read through h5wasm hyperslabs, one batch at a time: the path for
 * chunked or compressed datasets, which cannot be read straight from the file. Same batching
 * as the table reader (docs/design.md §2): batch k's new rows start at startRow + k·chunkRows, with
 * up to `overlap` rows of look-back before them.
 */
import { batchRanges } from '../../io/batch-ranges.ts';
import type { Dataset, File as H5File } from 'h5wasm/node';
import type { Batch, Column } from '../../core/batch.ts';
import type { TypedArray } from '../../core/dtype.ts';
import { itemSizeOf } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { Schema } from '../../core/schema.ts';
import type { OpenSource, ReadOptions } from '../../core/stage.ts';
import { checkRowOrder } from '../../io/table-reader.ts';
import type { Hdf5Library } from './h5wasm-calls.ts';

export interface SlicedColumn {
  readonly name: string;
  readonly dataset: Dataset;
}

export interface SlicedSourceInit {
  readonly path: string;
  readonly file: H5File;
  /** The guarded h5wasm that opened `file`. */
  readonly library: Hdf5Library;
  readonly columns: readonly SlicedColumn[];
  readonly schema: Schema;
  readonly details: Readonly<Record<string, unknown>>;
  readonly startRow: number;
  readonly endRow: number;
  readonly chunkRows: number;
}

/**
 * An OpenSource over h5wasm hyperslab reads; owns `file` (closed once by `close`). Every read
 * goes through `library`, so a read libhdf5 fails (a corrupt chunk index, a bad checksum) is
 * a SluiceError, never the zeros h5wasm would return.
 */
export function createSlicedSource(init: SlicedSourceInit): OpenSource {
  const { file, schema, startRow, endRow } = init;
  checkRowOrder(startRow, endRow, init.path);
  const rowBytes = schema.columns.reduce((n, c) => n + itemSizeOf(c.dtype) * c.width, 0);
  let closed = false;
  return {
    path: init.path,
    format: 'hdf5',
    schema,
    rows: endRow - startRow,
    bytes: (endRow - startRow) * rowBytes,
    // No MappedFile: h5wasm does its own positioned reads.
    backend: 'read',
    details: init.details,
    batches: (options: ReadOptions) => sliceBatches(init, rowBytes, options),
    close: async () => {
      if (!closed) {
        closed = true;
        init.library.close(file, init.path);
      }
    },
  };
}

async function* sliceBatches(
  init: SlicedSourceInit,
  rowBytes: number,
  options: ReadOptions,
): AsyncGenerator<Batch, void, undefined> {
  const { schema, columns, path } = init;
  const { overlap, signal } = options;
  let delivered = 0;
  for (const { first, newStart, end, rows, history } of batchRanges({ ...init, overlap })) {
    signal?.throwIfAborted();
    const out: Record<string, Column> = {};
    schema.columns.forEach((c, i) => {
      out[c.name] = { data: readSlice(init.library, columns[i].dataset, first, end, path), width: c.width };
    });
    delivered += end - newStart;
    options.onProgress?.({ rows: delivered, bytes: delivered * rowBytes });
    yield { schema, columns: out, rows, start: first, history };
    // Let the event loop breathe between synchronous wasm reads (Ctrl-C, progress).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Rows [first, end) of a 1-D or 2-D dataset, a new array in native byte order. */
function readSlice(
  library: Hdf5Library,
  dataset: Dataset,
  first: number,
  end: number,
  path: string,
): TypedArray {
  const data = library.readRows(dataset, first, end, path);
  if (!ArrayBuffer.isView(data)) {
    throw new SluiceError('FORMAT_UNSUPPORTED', `${path}: ${dataset.path} did not read as numbers`, { path });
  }
  return data as TypedArray;
}
