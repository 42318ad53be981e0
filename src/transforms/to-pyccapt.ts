import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { ReusedArrays } from '../core/reused-arrays.ts';
import { PYCCAPT_COLUMNS, toPyccaptBatch, ZeroBuffers } from '../atomprobe/pyccapt-columns.ts';

const params = z
  .object({})
  .strict()
  .describe(
    "EPOS columns → PyCCAPT's 15-column layout, as PyCCAPT's epos_to_ccapt: `x (nm)`, `y (nm)`, `z (nm)`, " +
      '`mc (Da)` (from `m/n (Da)`), `mc_uc (Da)` = 0, `high_voltage (V)` (from `HV_DC (V)`), `pulse_v (V)` ' +
      '(from `pulse (V)`), `pulse_l (pJ)` = 0, `t (ns)` (from `TOF (ns)`), `t_c (ns)` = 0, `x_det (cm)` and ' +
      '`y_det (cm)` (`det_x (mm)`, `det_y (mm)` ÷ 10, in float32), `delta_p` (from `pslep`), `multi` (from ' +
      '`ipp`), `start_counter` = 0. float32 but the last three, int32 (uint32 values wrap as numpy casts).',
  );

export default defineStage({
  name: 'to-pyccapt',
  kind: 'transform',
  keepsRows: true,
  params,
  history: () => 0,
  schema: (_p, input) => pyccaptSchema(input),
  create: (_p, ctx) => {
    const schema = pyccaptSchema(ctx.schema);
    const zeros = new ZeroBuffers();
    const arrays = new ReusedArrays(ctx.reuseBuffers ?? false);
    return (batch: Batch) => toPyccaptBatch(batch, schema, zeros, arrays);
  },
});

/** The output schema; COLUMN_UNKNOWN when an EPOS column is missing. */
export function pyccaptSchema(input: Schema): Schema {
  const columns = PYCCAPT_COLUMNS.map((c): ColumnSchema => {
    if (c.from) {
      const source = requireColumn(input, c.from, 'to-pyccapt');
      if (source.width !== 1) {
        throw new SluiceError('PARAMS_INVALID', `to-pyccapt: column '${c.from}' has width ${source.width}`, {
          hint: 'EPOS columns are scalars; read the file with the epos source.',
        });
      }
    }
    return { name: c.name, dtype: c.dtype, width: 1, ...(c.unit ? { unit: c.unit } : {}) };
  });
  return { ...input, columns };
}
