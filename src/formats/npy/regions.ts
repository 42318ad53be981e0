/**
 * An NPY file made ready for many writers at once: its header written for all its rows (as
 * numpy.save writes it) and the file sized, so any process may write any row range of its
 * records at its offset. Nothing is written at the end.
 */
import { open } from 'node:fs/promises';
import type { ColumnSchema } from '../../core/schema.ts';
import { formatNpyHeader } from './header.ts';
import { npyHeaderFields, recordSizeOf } from './writer.ts';

/** Where row 0 of the records is, and the bytes a record takes. */
export interface RecordRegion {
  readonly offset: number;
  readonly rowBytes: number;
}

/** Creates `path` (replacing it) for `rows` records of `columns`. */
export async function createNpyRecords(
  path: string,
  columns: readonly ColumnSchema[],
  rows: number,
): Promise<RecordRegion> {
  const header = formatNpyHeader(npyHeaderFields(columns, rows));
  const rowBytes = recordSizeOf(columns);
  const handle = await open(path, 'w');
  try {
    await handle.write(header, 0, header.length, 0);
    await handle.truncate(header.length + rows * rowBytes);
    await handle.sync();
    return { offset: header.length, rowBytes };
  } finally {
    await handle.close();
  }
}
