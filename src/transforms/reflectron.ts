import { z } from 'zod';
import type { Batch, Column } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import type { NumberArray } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { findColumn, requireColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { ReusedArrays } from '../core/reused-arrays.ts';
import type { MeshLocator } from '../atomprobe/reflectron-mesh.ts';
import {
  buildLocator,
  correctPoints,
  findReflectronPreset,
  listReflectronPresets,
  loadMesh,
  loadPresetMesh,
} from '../atomprobe/reflectron-mesh.ts';

export { listReflectronPresets } from '../atomprobe/reflectron-mesh.ts';

/** Column pairs tried in order when `columns` is absent, with their unit. */
const DEFAULT_COLUMNS = [
  { columns: ['det_x (mm)', 'det_y (mm)'], unit: 'mm' },
  { columns: ['x_det (cm)', 'y_det (cm)'], unit: 'cm' },
] as const;

const params = z
  .object({
    preset: z
      .string()
      .min(1)
      .refine((name) => findReflectronPreset(name) !== undefined, {
        message: `unknown preset; the presets (case-insensitive) are: ${listReflectronPresets().join(', ')}`,
      })
      .optional()
      .describe(
        'A mesh shipped with sluice, by name, case-insensitive (`4000XHR_Erlangen_56_4833`); ' +
          '`sluice reflectron --list-instruments` lists them.',
      ),
    mesh: z
      .object({
        intersections: z
          .string()
          .min(1)
          .describe('CSV with a header naming detectorX, detectorY, gridX, gridY (mm), one row per vertex.'),
        triangles: z.string().min(1).describe('CSV without header: three 1-based vertex indices per row.'),
      })
      .strict()
      .optional()
      .describe("A custom mesh in PyCCAPT's preset format, instead of `preset`."),
    columns: z
      .tuple([z.string().min(1), z.string().min(1)])
      .refine(([x, y]) => x !== y, { message: 'the x and y columns must differ' })
      .optional()
      .describe(
        'Detector x and y columns, read and overwritten. Default: `det_x (mm)`/`det_y (mm)`, else ' +
          "PyCCAPT's `x_det (cm)`/`y_det (cm)`.",
      ),
    unit: z
      .enum(['mm', 'cm'])
      .optional()
      .describe(
        'Unit of the detector columns (cm values are ×10 in and ÷10 out; the mesh is in mm). Default: cm ' +
          "when the x column's name ends in `(cm)`, else mm.",
      ),
  })
  .strict()
  .refine((p) => (p.preset === undefined) !== (p.mesh === undefined), {
    message: 'give exactly one of `preset` and `mesh`',
  })
  .describe(
    "PyCCAPT's reflectron mesh correction of detector coordinates: barycentric interpolation of the " +
      'grid positions over the triangle holding each event (outside the mesh: extrapolation from the ' +
      'first triangle of the nearest vertex), computed in float64. The corrected columns replace the ' +
      'input ones, as float64.',
  );

export type ReflectronParams = z.output<typeof params>;

export default defineStage({
  name: 'reflectron',
  kind: 'transform',
  keepsRows: true,
  cpuHeavy: true,
  params,
  history: () => 0,
  schema: (p, input) => {
    const { x, y } = resolveColumns(p, input);
    return toFloat64Columns(input, [x.name, y.name]);
  },
  create: (p, ctx) => {
    const { x, y, scale } = resolveColumns(p, ctx.schema);
    const schema = toFloat64Columns(ctx.schema, [x.name, y.name]);
    const locator = buildLocator(
      p.mesh ? loadMesh(p.mesh.intersections, p.mesh.triangles) : loadPresetMesh(p.preset ?? ''),
    );
    const arrays = new ReusedArrays(ctx.reuseBuffers ?? false);
    return (batch: Batch) => ({ ...correctBatch(batch, locator, x.name, y.name, scale, arrays), schema });
  },
});

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
  p: ReflectronParams,
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
