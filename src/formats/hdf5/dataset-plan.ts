/**
 * The read plan of an HDF5 table: the datasets found (find-datasets.ts), each with its dtype,
 * shape and storage (layout.ts), all of one length. Contiguous datasets are read straight
 * from the file at their data offset, as vaex does; if any dataset is chunked, compressed or
 * external, every column is read through h5wasm hyperslabs (slices.ts) instead. What sluice
 * parses itself is checked before anything is read (superblock, object headers, layout, the
 * chunk index: layout.ts, chunk-index.ts), and every h5wasm call goes through
 * h5wasm-calls.ts, so a corrupt file is one SluiceError naming the file and the dataset.
 */
import type { Dataset, File as H5File } from 'h5wasm/node';
import type { DType } from '../../core/dtype.ts';
import { itemSizeOf } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { Schema } from '../../core/schema.ts';
import type { OpenSource } from '../../core/stage.ts';
import { copyRange } from '../../io/copy-range.ts';
import type { IoChoice, MappedFile } from '../../io/mapped-file.ts';
import { openMappedFile } from '../../io/open.ts';
import type { ColumnarField } from '../../io/table-reader.ts';
import { resolveRowRange } from '../../io/table-reader.ts';
import type { Hdf5Selection } from './find-datasets.ts';
import { describeDataset, findDatasets } from './find-datasets.ts';
import { checkChunkIndex } from './chunk-index.ts';
import type { Hdf5Library } from './h5wasm-calls.ts';
import { loadHdf5Library } from './h5wasm-calls.ts';
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

/** The planned columns and the h5wasm file they came from, which the plan's user closes (`closePlan`). */
export interface Hdf5Plan {
  readonly h5: H5File;
  /** The guarded h5wasm that opened `h5`: every later call on it goes through `library.call`. */
  readonly library: Hdf5Library;
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
  const library = await loadHdf5Library();
  const h5 = library.open(p.path);
  try {
    const selected = p.dataset ?? p.group ?? '/dld';
    const found = library.call({ path: p.path, dataset: selected, doing: 'finding' }, () =>
      findDatasets(
        h5,
        p,
        (name) => library.get(h5, name, p.path),
        library.h5wasm.Dataset,
        library.h5wasm.Group,
      ),
    );
    const columns: PlannedColumn[] = [];
    for (const { name, dataset } of found) {
      const site = { path: p.path, dataset: dataset.path, doing: 'describing' };
      const meta = library.call(site, () => dataset.metadata);
      const { dtype, width, rows } = describeDataset(dataset.path, meta, p.path);
      const ref = library.call({ ...site, doing: 'locating' }, () => dataset.create_reference().ref_data);
      const storage = await aboutDataset(dataset.path, p.path, async () => {
        const located = await readDatasetStorage(readAt, file.size, superblock, objectAddress(ref), p.path);
        if (located.kind === 'other' && located.chunks) {
          const fileEnd = Math.min(file.size, superblock.endOfFile ?? file.size);
          await checkChunkIndex(readAt, fileEnd, superblock, located.chunks, meta.shape ?? [], p.path);
        }
        return located;
      });
      checkStorageSize(storage, rows * width * itemSizeOf(dtype), dataset.path, p.path);
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
    return { h5, library, columns, superblock, totalRows };
  } catch (error) {
    closeQuietly(library, h5, p.path);
    throw error;
  }
}

/** `read()`, its errors about the file `path` told as about `dataset` in it. */
async function aboutDataset<T>(dataset: string, path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof SluiceError) || !error.message.startsWith(`${path}: `)) throw error;
    const message = `${path}: dataset ${dataset}: ${error.message.slice(path.length + 2)}`;
    const { code, offset, hint } = error;
    throw new SluiceError(code, message, { path: error.path, offset, hint, cause: error.cause });
  }
}

/** Closes the plan's h5wasm file; a failure is a SluiceError. */
export function closePlan(plan: Hdf5Plan, path: string): void {
  plan.library.close(plan.h5, path);
}

/** Closes `h5` after another error, which is the one to report. */
function closeQuietly(library: Hdf5Library, h5: H5File, path: string): void {
  try {
    library.close(h5, path);
  } catch {
    // The error being thrown already says what is wrong with the file.
  }
}

/**
 * A contiguous dataset's stored size must be what its shape and type take: read straight
 * from the file, a shape larger than its storage would run into the next object's bytes.
 */
export function checkStorageSize(
  storage: DatasetStorage,
  bytes: number,
  dataset: string,
  path: string,
): void {
  if (storage.kind !== 'contiguous' || storage.size === undefined || storage.size === bytes) return;
  throw new SluiceError(
    'FORMAT_INVALID',
    `${path}: dataset ${dataset} stores ${storage.size} bytes, its shape and type take ${bytes}`,
    {
      path,
      offset: storage.layoutAt,
      hint: 'the HDF5 file is corrupt (h5dump or h5py would fail on it too)',
    },
  );
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
      library: plan.library,
      columns,
      schema,
      details,
      startRow,
      endRow,
      chunkRows: read.chunkRows,
    });
  } catch (error) {
    closeQuietly(plan.library, plan.h5, read.path);
    throw error;
  }
}
