import { z } from 'zod';
import { defineStage } from '../core/stage.ts';
import {
  checkExtents,
  closePlan,
  contiguousColumns,
  describePlan,
  isDirectPlan,
  openSlicedPlan,
  planHdf5File,
} from '../formats/hdf5/dataset-plan.ts';
import { hasHdf5Magic } from '../formats/hdf5/layout.ts';
import { checkRowOrder } from '../io/table-reader.ts';
import { fileSourceFields, openTableFile } from '../adapters/file-params.ts';

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

export default defineStage({
  name: 'hdf5',
  kind: 'source',
  params,
  extensions: ['.h5', '.hdf5', '.hdf', '.he5'],
  sniff: hasHdf5Magic,
  inputs: (p) => [p.path],
  create: async (p, ctx) => {
    checkRowOrder(p.startRow, p.endRow, p.path);
    const plan = await planHdf5File(p, p.io, ctx.log);
    const details = describePlan(plan);
    if (!isDirectPlan(plan)) return openSlicedPlan(plan, p, details);
    closePlan(plan, p.path);
    const columns = contiguousColumns(plan);
    return openTableFile(p, ctx, (file) => {
      checkExtents(plan.columns, file.size, p.path);
      return { format: 'hdf5', layout: { kind: 'columnar', columns }, totalRows: plan.totalRows, details };
    });
  },
});
