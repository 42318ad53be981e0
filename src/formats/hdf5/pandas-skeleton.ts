/**
 * The metadata of a pandas table whose row count is known (pandas-region.ts), written by
 * h5wasm on a worker thread that exits when done (worker-call.ts), so h5wasm's ~50 MB leave
 * with the thread: the groups and every attribute as pandas-table.ts writes them, NROWS
 * already `rows`, and `/<key>/table` at its final shape with no chunk allocated, in HDF5's
 * earliest format (what PyTables writes), whose headers sluice patches without checksums.
 */
import type { Dataset } from 'h5wasm/node';
import { callInWorker } from '../../core/worker-call.ts';
import { loadH5wasm } from '../../io/lazy.ts';
import { objectAddress } from './layout.ts';
import type { PandasField } from './pandas-attributes.ts';
import { checkStatus, createPandasObjects } from './pandas-attributes.ts';

export interface PandasSkeletonJob {
  /** The (temporary) file to create, replacing what is there. */
  readonly path: string;
  /** The path errors name. */
  readonly name: string;
  readonly fields: readonly PandasField[];
  readonly key: string;
  /** Rows per chunk. */
  readonly chunk: number;
  readonly rows: number;
}

/** Creates the file; returns the table's object header address. */
export function writePandasSkeleton(job: PandasSkeletonJob): Promise<number> {
  return callInWorker<number>('formats/hdf5/pandas-skeleton', job);
}

/** The worker's side (worker-entry.js calls it). */
export default async function createPandasSkeleton(job: PandasSkeletonJob): Promise<number> {
  const h5wasm = await loadH5wasm();
  const m = await h5wasm.ready;
  const h5 = new h5wasm.File(job.path, 'w', { libver: ['earliest', 'latest'] });
  try {
    const layout = {
      key: job.key,
      chunk: job.chunk,
      compression: 'none',
      compressionLevel: 0,
      rows: job.rows,
    } as const;
    const table = createPandasObjects(m, h5.file_id, job.fields, layout, job.name);
    if (job.rows > 0)
      checkStatus(m.resize_dataset(h5.file_id, table, [BigInt(job.rows)]), 'resize', table, job.name);
    return objectAddress((h5.get(table) as Dataset).create_reference().ref_data);
  } finally {
    h5.close();
  }
}
