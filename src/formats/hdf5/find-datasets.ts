/**
 * Which HDF5 datasets a read takes and what each holds: one named dataset, every 1-D dataset
 * of a group, or a known layout (PyCCAPT's /dld group), each with the column name it gets (its
 * `name` attribute where the hdf5 sink escaped a `/` in it) and its numeric type and shape as
 * h5wasm describes them.
 */
import type { Dataset, File as H5File, Metadata } from 'h5wasm/node';
import type { DType } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import { numericDType } from '../../core/numeric-dtype.ts';
import { NAME_ATTRIBUTE } from './datasets.ts';

/** Which datasets to read: exactly one of the three is given. */
export interface Hdf5Selection {
  readonly path: string;
  readonly dataset?: string;
  readonly group?: string;
  readonly layout?: 'pyccapt-raw';
}

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

type EntityGetter = (name: string) => unknown;

/**
 * The datasets the selection names, with their column names. `get` and the h5wasm calls made
 * here (`keys()`, `metadata`) throw on a corrupt file: the caller runs this inside
 * `Hdf5Library.call` (dataset-plan.ts), which makes that a SluiceError.
 */
export function findDatasets(
  h5: H5File,
  p: Hdf5Selection,
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
    return [{ name: columnNameOf(dataset, baseName(p.dataset)), dataset }];
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
      ? [{ name: columnNameOf(dataset, key), dataset }]
      : [];
  });
  if (!out.length) throw missing(`1-D dataset in group ${groupPath}`, `It holds: ${keys.join(', ')}.`);
  return out;
}

/**
 * The column a dataset holds: the exact name the `hdf5` sink kept in its `name` attribute when
 * the dataset's name had to be escaped (`m%2Fn (Da)` holds `m/n (Da)`), else `fallback`.
 */
function columnNameOf(dataset: Dataset, fallback: string): string {
  const attrs = dataset.attrs as Record<string, unknown> | undefined;
  if (!attrs || !(NAME_ATTRIBUTE in attrs)) return fallback;
  const value = dataset.get_attribute(NAME_ATTRIBUTE, true);
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** The last component of an HDF5 path: `/dld/t` → `t`. */
export function baseName(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** h5wasm's type classes sluice reads: 0 integer, 1 float. */
function dtypeOfMetadata(meta: Metadata): DType | undefined {
  if (meta.type === 0) return numericDType(meta.signed ? 'int' : 'uint', meta.size);
  if (meta.type === 1) return numericDType('float', meta.size);
  return undefined;
}

/** dtype, width and rows of a numeric 1-D or 2-D dataset; FORMAT_UNSUPPORTED with a hint otherwise. */
export function describeDataset(
  name: string,
  meta: Metadata,
  path: string,
): { dtype: DType; width: number; rows: number } {
  const refuse = (what: string, hint: string) =>
    new SluiceError('FORMAT_UNSUPPORTED', `${path}: dataset ${name} is ${what}`, { path, hint });
  const dtype = dtypeOfMetadata(meta);
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
