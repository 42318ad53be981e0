/**
 * The read plan of an HDF5 table: the datasets found (find-datasets.ts), each with its dtype,
 * shape and storage (layout.ts), all of one length. Contiguous datasets are read straight
 * from the file at their data offset, as vaex does; if any dataset is chunked, compressed or
 * external, every column is read through h5wasm hyperslabs (slices.ts) instead.
 */
import { resolve } from 'node:path';
import type { Dataset, File as H5File } from 'h5wasm/node';
import type { DType } from '../../core/dtype.ts';
import { itemSizeOf } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { Schema } from '../../core/schema.ts';
import type { OpenSource } from '../../core/stage.ts';
import { copyRange } from '../../io/copy-range.ts';
import { loadH5wasm } from '../../io/lazy.ts';
import type { IoChoice, MappedFile } from '../../io/mapped-file.ts';
import { openMappedFile } from '../../io/open.ts';
import type { ColumnarField } from '../../io/table-reader.ts';
import { resolveRowRange } from '../../io/table-reader.ts';
import type { Hdf5Selection } from './find-datasets.ts';
import { describeDataset, findDatasets } from './find-datasets.ts';
import type { DatasetStorage, Superblock } from './layout.ts';
import { objectAddress, readDatasetStorage, readSuperblock } from './layout.ts';
import { createSlicedSource } from './slices.ts';

export interface PlannedColumn {
  readonly name: string;
  readonly dataset: Dataset;
  readonly dtype: DType;
  readonly width: number;
  readonly rows: number;
  readonly littleEndian: boolean;
  readonly storage: DatasetStorage;
}

/** The planned columns and the h5wasm file they came from, which the plan's user closes. */
export interface Hdf5Plan {
  readonly h5: H5File;
  readonly columns: readonly PlannedColumn[];
  readonly superblock: Superblock;
  readonly totalRows: number;
}

/** Opens `p.path` with the `io` backend just long enough to plan it (the layout reads). */
export async function planHdf5File(
  p: Hdf5Selection,
  io: IoChoice,
  log?: (message: string) => void,
): Promise<Hdf5Plan> {
  const file = await openMappedFile(p.path, { io }, log);
  try {
    return await planHdf5(file, p);
  } finally {
    await file.close();
  }
}

export async function planHdf5(file: MappedFile, p: Hdf5Selection): Promise<Hdf5Plan> {
  const readAt = (offset: number, length: number) => copyRange(file, offset, length);
  const superblock = await readSuperblock(readAt, file.size, p.path);
  const h5wasm = await loadH5wasm();
  let h5: H5File;
  try {
    h5 = new h5wasm.File(resolve(p.path), 'r');
  } catch (error) {
    throw new SluiceError('FORMAT_INVALID', `${p.path}: HDF5 library cannot open the file`, {
      path: p.path,
      cause: error,
      hint: 'the file is corrupt or truncated',
    });
  }
  try {
    const found = findDatasets(h5, p, (name) => h5.get(name), h5wasm.Dataset, h5wasm.Group);
    const columns: PlannedColumn[] = [];
    for (const { name, dataset } of found) {
      const meta = dataset.metadata;
      const { dtype, width, rows } = describeDataset(dataset.path, meta, p.path);
      const address = objectAddress(dataset.create_reference().ref_data);
      const storage = await readDatasetStorage(readAt, file.size, superblock, address, p.path);
      columns.push({ name, dataset, dtype, width, rows, littleEndian: meta.littleEndian, storage });
    }
    const totalRows = columns[0].rows;
    const ragged = columns.find((c) => c.rows !== totalRows);
    if (ragged) {
      throw new SluiceError(
        'SIZE_MISMATCH',
        `${p.path}: datasets of unequal length: ${columns[0].dataset.path} has ${totalRows} rows, ${ragged.dataset.path} ${ragged.rows}`,
        {
          path: p.path,
          hint: 'a group is read as a table, so its datasets must have one length; read them one at a time with dataset:',
        },
      );
    }
    return { h5, columns, superblock, totalRows };
  } catch (error) {
    h5.close();
    throw error;
  }
}

/** True when every column is contiguous, so the whole table is read straight from the file. */
export function isDirectPlan(plan: Hdf5Plan): boolean {
  return plan.columns.every((c) => c.storage.kind === 'contiguous');
}

/** What `sluice inspect` shows of a plan. */
export function describePlan(plan: Hdf5Plan): Record<string, unknown> {
  return {
    superblockVersion: plan.superblock.version,
    read: isDirectPlan(plan) ? 'direct' : 'h5wasm',
    datasets: plan.columns.map((c) => ({
      column: c.name,
      dataset: c.dataset.path,
      dtype: c.dtype,
      shape: c.width === 1 ? [c.rows] : [c.rows, c.width],
      storage: c.storage.kind === 'contiguous' ? { contiguous: c.storage.offset } : c.storage.reason,
    })),
    totalRows: plan.totalRows,
  };
}

/** The columns of a direct plan, for the table reader. */
export function contiguousColumns(plan: Hdf5Plan): ColumnarField[] {
  return plan.columns.map((c) => ({
    name: c.name,
    dtype: c.dtype,
    littleEndian: c.littleEndian,
    width: c.width,
    fileOffset: (c.storage as { offset: number }).offset,
  }));
}

/** A contiguous dataset whose bytes run past the end of the file: the file is truncated. */
export function checkExtents(columns: readonly PlannedColumn[], fileSize: number, path: string): void {
  for (const c of columns) {
    if (c.storage.kind !== 'contiguous') continue;
    const end = c.storage.offset + c.rows * c.width * itemSizeOf(c.dtype);
    if (end > fileSize) {
      throw new SluiceError(
        'SIZE_MISMATCH',
        `${path}: dataset ${c.dataset.path} needs bytes up to ${end}, the file has ${fileSize}`,
        {
          path,
          offset: c.storage.offset,
          hint: 'the file is truncated (an interrupted copy or write); fetch or write it again',
        },
      );
    }
  }
}

/** The rows to read through h5wasm, and how. */
export interface SlicedRead {
  readonly path: string;
  readonly startRow: number;
  readonly endRow?: number;
  readonly chunkRows: number;
  readonly sampleRate?: number;
}

/** The hyperslab source of a plan; it owns `plan.h5` (closed here if opening fails). */
export function openSlicedPlan(
  plan: Hdf5Plan,
  read: SlicedRead,
  details: Readonly<Record<string, unknown>>,
): OpenSource {
  try {
    const { startRow, endRow } = resolveRowRange(plan.totalRows, read.startRow, read.endRow, read.path);
    const schema: Schema = {
      columns: plan.columns.map((c) => ({ name: c.name, dtype: c.dtype, width: c.width })),
      sampleRate: read.sampleRate,
      source: read.path,
      origin: startRow,
    };
    const columns = plan.columns.map((c) => ({ name: c.name, dataset: c.dataset }));
    return createSlicedSource({
      path: read.path,
      file: plan.h5,
      columns,
      schema,
      details,
      startRow,
      endRow,
      chunkRows: read.chunkRows,
    });
  } catch (error) {
    plan.h5.close();
    throw error;
  }
}
