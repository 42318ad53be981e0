/**
 * The reflectron correction applied to a batch: which detector columns it reads (PyCCAPT's or
 * EPOS's names, mm or cm) and their values corrected through a mesh locator, as float64.
 */
import type { Batch, Column } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import type { NumberArray } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { findColumn, requireColumn } from '../core/schema.ts';
import { ReusedArrays } from '../core/reused-arrays.ts';
import type { MeshLocator } from './reflectron-mesh.ts';
import { correctPoints } from './reflectron-mesh.ts';

/** Column pairs tried in order when `columns` is absent, with their unit. */
const DEFAULT_COLUMNS = [
  { columns: ['det_x (mm)', 'det_y (mm)'], unit: 'mm' },
  { columns: ['x_det (cm)', 'y_det (cm)'], unit: 'cm' },
] as const;

/** The reflectron params that choose the detector columns. */
export interface DetectorColumnParams {
  /** Detector x and y columns; default by DEFAULT_COLUMNS. */
  readonly columns?: readonly [string, string];
  /** Default: cm when the x column's name ends in `(cm)`, else mm. */
  readonly unit?: 'mm' | 'cm';
}

/** `schema` with the named columns retyped float64. */
export function toFloat64Columns(schema: Schema, names: readonly string[]): Schema {
  return {
    ...schema,
    columns: schema.columns.map((c): ColumnSchema =>
      names.includes(c.name) ? { ...c, dtype: 'float64' } : c,
    ),
  };
}

/** The detector columns for `p` in `schema` and the factor that turns their values into mm. */
export function resolveColumns(
  p: DetectorColumnParams,
  schema: Schema,
): { x: ColumnSchema; y: ColumnSchema; scale: number } {
  let names: readonly [string, string] | undefined = p.columns;
  if (!names) {
    names = DEFAULT_COLUMNS.find(({ columns }) => columns.every((c) => findColumn(schema, c)))?.columns;
    if (!names) {
      throw new SluiceError('COLUMN_UNKNOWN', 'reflectron: no detector coordinate columns in the input', {
        hint:
          'Expected `det_x (mm)`/`det_y (mm)` or `x_det (cm)`/`y_det (cm)`; name others with ' +
          `columns: [x, y]. Columns: ${schema.columns.map((c) => c.name).join(', ')}.`,
      });
    }
  }
  const [x, y] = names.map((name) => requireColumn(schema, name, 'reflectron'));
  for (const c of [x, y]) {
    if (c.width !== 1 || c.dtype === 'int64' || c.dtype === 'uint64') {
      throw new SluiceError(
        'PARAMS_INVALID',
        `reflectron: column '${c.name}' is not a scalar number column`,
        {
          hint: `it is ${c.dtype} of width ${c.width}; detector coordinates are float32/float64 scalars`,
        },
      );
    }
  }
  const unit = p.unit ?? (x.name.endsWith('(cm)') ? 'cm' : 'mm');
  return { x, y, scale: unit === 'cm' ? 10 : 1 };
}

/** The batch with both detector columns corrected (float64 arrays from `arrays`; the rest are views). */
export function correctBatch(
  batch: Batch,
  locator: MeshLocator,
  x: string,
  y: string,
  scale: number,
  arrays = new ReusedArrays(false),
): Batch {
  const xs = getColumn(batch, x).data as NumberArray; // schema() refused 64-bit integer columns
  const ys = getColumn(batch, y).data as NumberArray;
  const outX = arrays.take('x', Float64Array, batch.rows);
  const outY = arrays.take('y', Float64Array, batch.rows);
  correctPoints(locator, xs, ys, outX, outY, scale, scale);
  const columns: Record<string, Column> = { ...batch.columns };
  columns[x] = { data: outX, width: 1 };
  columns[y] = { data: outY, width: 1 };
  return { ...batch, columns };
}
