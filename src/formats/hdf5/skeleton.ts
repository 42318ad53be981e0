/**
 * The metadata of a contiguous `layout: columns` HDF5 file, written by h5wasm on a worker
 * thread that exits when done (worker-call.ts): h5wasm's glue, heap and WASM memory (~50 MB)
 * then leave with the thread instead of staying for the whole run, whose data sluice writes
 * itself (allocate.ts, io/region-writer.ts).
 */
import { callInWorker } from '../../core/worker-call.ts';
import type { ColumnSchema } from '../../core/schema.ts';
import { objectAddress } from './layout.ts';
import { loadH5wasm } from '../../io/lazy.ts';
import type { DatasetPlacement } from './datasets.ts';
import { createColumnDatasets } from './datasets.ts';

export interface SkeletonJob {
  /** The (temporary) file to create, replacing what is there. */
  readonly path: string;
  readonly columns: readonly ColumnSchema[];
  readonly sampleRate?: number;
  readonly source?: string;
  readonly placement: DatasetPlacement;
}

/** Creates the file with every dataset empty; returns each dataset's object header address. */
export function writeSkeleton(job: SkeletonJob): Promise<number[]> {
  return callInWorker<number[]>('formats/hdf5/skeleton', job);
}

/** The worker's side (worker-entry.js calls it). */
export default async function createSkeleton(job: SkeletonJob): Promise<number[]> {
  const h5wasm = await loadH5wasm();
  // The earliest file format: superblock 0 and unchecksummed object headers, which
  // allocateContiguous patches in place (and what h5py writes by default).
  const h5 = new h5wasm.File(job.path, 'w', { libver: ['earliest', 'latest'] });
  try {
    const schema = { columns: job.columns, sampleRate: job.sampleRate, source: job.source };
    const datasets = createColumnDatasets(h5wasm, h5, job.columns, schema, job.placement, undefined);
    return datasets.map((d) => objectAddress(d.create_reference().ref_data));
  } finally {
    h5.close();
  }
}
