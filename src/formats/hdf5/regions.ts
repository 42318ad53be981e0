/**
 * A contiguous `layout: columns` HDF5 file made ready for many writers at once: its metadata
 * written and every dataset sized for all its rows (allocate.ts), as the contiguous encoder
 * does before its first batch. Any process may then write any row range of any column at
 * its offset; nothing is written at the end, so the file is complete once every row is.
 */
import { open } from 'node:fs/promises';
import { itemSizeOf } from '../../core/dtype.ts';
import type { ColumnSchema, Schema } from '../../core/schema.ts';
import { allocateContiguous } from './allocate.ts';
import type { DatasetPlacement } from './datasets.ts';
import { writeSkeleton } from './skeleton.ts';

/** Where row 0 of each column's data is, and the bytes a row of it takes. */
export interface ColumnRegions {
  readonly offsets: readonly number[];
  readonly rowBytes: readonly number[];
}

/** Creates `path` (replacing it) with `columns` of `schema` sized for `rows` rows. */
export async function createContiguousColumns(
  path: string,
  columns: readonly ColumnSchema[],
  schema: Schema,
  placement: DatasetPlacement,
  rows: number,
): Promise<ColumnRegions> {
  const headerAddresses = await writeSkeleton({
    path,
    columns,
    sampleRate: schema.sampleRate,
    source: schema.source,
    placement: { group: placement.group, vaex: placement.vaex },
  });
  const rowBytes = columns.map((c) => itemSizeOf(c.dtype) * c.width);
  const handle = await open(path, 'r+');
  try {
    const datasets = headerAddresses.map((headerAddress, i) => ({ headerAddress, rowBytes: rowBytes[i] }));
    const offsets = await allocateContiguous(handle, path, datasets, rows);
    await handle.sync();
    return { offsets, rowBytes };
  } finally {
    await handle.close();
  }
}
