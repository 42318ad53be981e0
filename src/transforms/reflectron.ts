import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { defineStage } from '../core/stage.ts';
import { ReusedArrays } from '../core/reused-arrays.ts';
import { correctBatch, resolveColumns, toFloat64Columns } from '../atomprobe/reflectron-columns.ts';
import {
  buildLocator,
  findReflectronPreset,
  listReflectronPresets,
  loadMesh,
  loadPresetMesh,
} from '../atomprobe/reflectron-mesh.ts';

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
