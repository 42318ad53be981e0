import { resolve } from 'node:path';
import type { Dataset, File as H5File, Metadata } from 'h5wasm/node';
import { z } from 'zod';
import type { DType } from '../core/dtype.ts';
import { itemSizeOf } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import type { OpenSource, StageContext } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import type { DatasetStorage, Superblock } from '../formats/hdf5/layout.ts';
import { hasHdf5Magic, objectAddress, readDatasetStorage, readSuperblock } from '../formats/hdf5/layout.ts';
import { loadH5wasm } from '../io/lazy.ts';
import type { MappedFile } from '../io/mapped-file.ts';
import { openMappedFile } from '../io/open.ts';
import type { ColumnarField } from '../io/table-reader.ts';
import { checkRowOrder, resolveRowRange } from '../io/table-reader.ts';
import { fileSourceFields, openTableFile } from '../adapters/file-params.ts';
import { createSlicedSource } from '../formats/hdf5/slices.ts';

const params = z
  .object({
    ...fileSourceFields,
    dataset: z
      .string()
      .min(1)
      .optional()
      .describe(
        'One dataset (1-D, or 2-D as a width-k column), e.g. /dld/t; the column is named after it (t).',
      ),
    group: z
      .string()
      .min(1)
      .optional()
      .describe('A group whose 1-D datasets, all of one length, become columns named after them.'),
    layout: z
      .enum(['pyccapt-raw'])
      .optional()
      .describe(
        "A known layout: pyccapt-raw reads PyCCAPT's /dld group as x → `x_det (cm)`, y → `y_det (cm)`, t → `t (ns)`, high_voltage → `high_voltage (V)`, voltage_pulse (or pulse, pulse_voltage) → `pulse_v (V)`, laser_pulse → `pulse_l (pJ)`, start_counter → `start_counter`.",
      ),
  })
  .strict()
  .refine((p) => [p.dataset, p.group, p.layout].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of dataset, group or layout',
  })
  .describe(
    'Reads numeric HDF5 datasets as columns: contiguous ones straight from the file at their data offset (as vaex does, through the same file layer as raw files), chunked or compressed ones through h5wasm hyperslab reads, a batch at a time.',
  );

export type Hdf5Params = z.output<typeof params>;

/** PyCCAPT's /dld datasets (first name found wins) and the columns it names them. */
export const PYCCAPT_RAW: readonly { readonly names: readonly string[]; readonly column: string }[] = [
  { names: ['x'], column: 'x_det (cm)' },
  { names: ['y'], column: 'y_det (cm)' },
  { names: ['t'], column: 't (ns)' },
  { names: ['high_voltage'], column: 'high_voltage (V)' },
  { names: ['voltage_pulse', 'pulse', 'pulse_voltage'], column: 'pulse_v (V)' },
  { names: ['laser_pulse'], column: 'pulse_l (pJ)' },
  { names: ['start_counter'], column: 'start_counter' },
];

export default defineStage({
  name: 'hdf5',
  kind: 'source',
  params,
  extensions: ['.h5', '.hdf5', '.hdf', '.he5'],
  sniff: hasHdf5Magic,
  inputs: (p) => [p.path],
  create: async (p, ctx) => {
    checkRowOrder(p.startRow, p.endRow, p.path);
    const file = await openMappedFile(p.path, { io: p.io }, ctx.log);
    let plan: Hdf5Plan;
    try {
      plan = await planHdf5(file, p);
    } finally {
      await file.close();
    }
    return openPlan(plan, p, ctx);
  },
});

interface PlannedColumn {
  readonly name: string;
  readonly dataset: Dataset;
  readonly dtype: DType;
  readonly width: number;
  readonly rows: number;
  readonly littleEndian: boolean;
  readonly storage: DatasetStorage;
}

interface Hdf5Plan {
  readonly h5: H5File;
  readonly columns: readonly PlannedColumn[];
  readonly superblock: Superblock;
  readonly totalRows: number;
}

async function openPlan(plan: Hdf5Plan, p: Hdf5Params, ctx: Pick<StageContext, 'log'>): Promise<OpenSource> {
  const direct = plan.columns.every((c) => c.storage.kind === 'contiguous');
  const details = {
    superblockVersion: plan.superblock.version,
    read: direct ? 'direct' : 'h5wasm',
    datasets: plan.columns.map((c) => ({
      column: c.name,
      dataset: c.dataset.path,
      dtype: c.dtype,
      shape: c.width === 1 ? [c.rows] : [c.rows, c.width],
      storage: c.storage.kind === 'contiguous' ? { contiguous: c.storage.offset } : c.storage.reason,
    })),
    totalRows: plan.totalRows,
  };
  if (direct) {
    plan.h5.close();
    const columns: ColumnarField[] = plan.columns.map((c) => ({
      name: c.name,
      dtype: c.dtype,
      littleEndian: c.littleEndian,
      width: c.width,
      fileOffset: (c.storage as { offset: number }).offset,
    }));
    return openTableFile(p, ctx, (file) => {
      checkExtents(plan.columns, file.size, p.path);
      return { format: 'hdf5', layout: { kind: 'columnar', columns }, totalRows: plan.totalRows, details };
    });
  }
  try {
    const { startRow, endRow } = resolveRowRange(plan.totalRows, p.startRow, p.endRow, p.path);
    const schema: Schema = {
      columns: plan.columns.map((c) => ({ name: c.name, dtype: c.dtype, width: c.width })),
      sampleRate: p.sampleRate,
      source: p.path,
      origin: startRow,
    };
    const columns = plan.columns.map((c) => ({ name: c.name, dataset: c.dataset }));
    return createSlicedSource({
      path: p.path,
      file: plan.h5,
      columns,
      schema,
      details,
      startRow,
      endRow,
      chunkRows: p.chunkRows,
    });
  } catch (error) {
    plan.h5.close();
    throw error;
  }
}

/** A contiguous dataset whose bytes run past the end of the file: the file is truncated. */
function checkExtents(columns: readonly PlannedColumn[], fileSize: number, path: string): void {
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

async function planHdf5(file: MappedFile, p: Hdf5Params): Promise<Hdf5Plan> {
  const readAt = async (offset: number, length: number) => {
    const range = await file.acquire(offset, length);
    try {
      return Uint8Array.from(range.bytes);
    } finally {
      range.release();
    }
  };
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

type EntityGetter = (name: string) => unknown;

/** The datasets the params name, with their column names. */
function findDatasets(
  h5: H5File,
  p: Hdf5Params,
  get: EntityGetter,
  DatasetClass: typeof Dataset,
  GroupClass: abstract new (...args: never[]) => { keys(): string[] },
): { name: string; dataset: Dataset }[] {
  const missing = (what: string, hint: string) =>
    new SluiceError('COLUMN_UNKNOWN', `${p.path}: no ${what}`, { path: p.path, hint });
  const topLevel = () => `Top level: ${h5.keys().join(', ')}.`;
  if (p.dataset !== undefined) {
    const dataset = get(p.dataset);
    if (!(dataset instanceof DatasetClass)) throw missing(`dataset ${p.dataset}`, topLevel());
    return [{ name: baseName(p.dataset), dataset }];
  }
  const groupPath = p.group ?? '/dld';
  const group = get(groupPath);
  if (!(group instanceof GroupClass)) throw missing(`group ${groupPath}`, topLevel());
  const keys = group.keys();
  const at = (key: string) => get(`${groupPath.replace(/\/$/, '')}/${key}`);
  if (p.layout === 'pyccapt-raw') {
    const out = PYCCAPT_RAW.flatMap(({ names, column }) => {
      const key = names.find((n) => keys.includes(n));
      const dataset = key === undefined ? undefined : at(key);
      return dataset instanceof DatasetClass ? [{ name: column, dataset }] : [];
    });
    if (!out.length) throw missing('PyCCAPT dataset in /dld', `/dld holds: ${keys.join(', ')}.`);
    return out;
  }
  const out = keys.flatMap((key) => {
    const dataset = at(key);
    return dataset instanceof DatasetClass && (dataset.metadata.shape?.length ?? 0) === 1
      ? [{ name: key, dataset }]
      : [];
  });
  if (!out.length) throw missing(`1-D dataset in group ${groupPath}`, `It holds: ${keys.join(', ')}.`);
  return out;
}

function baseName(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

const INT_TYPES: Record<number, [DType, DType]> = {
  1: ['int8', 'uint8'],
  2: ['int16', 'uint16'],
  4: ['int32', 'uint32'],
  8: ['int64', 'uint64'],
};

/** dtype, width and rows of a numeric 1-D or 2-D dataset; FORMAT_UNSUPPORTED with a hint otherwise. */
export function describeDataset(
  name: string,
  meta: Metadata,
  path: string,
): { dtype: DType; width: number; rows: number } {
  const refuse = (what: string, hint: string) =>
    new SluiceError('FORMAT_UNSUPPORTED', `${path}: dataset ${name} is ${what}`, { path, hint });
  let dtype: DType | undefined;
  if (meta.type === 0) dtype = INT_TYPES[meta.size]?.[meta.signed ? 0 : 1];
  else if (meta.type === 1) dtype = meta.size === 4 ? 'float32' : meta.size === 8 ? 'float64' : undefined;
  if (!dtype || meta.vlen) {
    throw refuse(
      meta.type === 1
        ? `float of ${meta.size * 8} bits`
        : `of HDF5 type class ${meta.type} (not integer or float)`,
      'sluice reads integer and float32/float64 datasets; store compound data as one dataset per field (a group)',
    );
  }
  const shape = meta.shape;
  if (!shape || shape.length === 0) throw refuse('a scalar', 'store it as a 1-element 1-D dataset');
  if (shape.length > 2) throw refuse(`${shape.length}-D`, 'reshape it to 2-D (rows × values per row)');
  const width = shape.length === 2 ? shape[1] : 1;
  if (width < 1) throw refuse('(n, 0)-shaped', 'the dataset has no columns');
  return { dtype, width, rows: shape[0] };
}
