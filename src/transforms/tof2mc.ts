import { z } from 'zod';
import type { Batch, Column } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import type { NumberArray } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { ColumnSchema, Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import { defineStage } from '../core/stage.ts';
import { tofToMassToCharge } from '../atomprobe/tof2mc.ts';

const params = z
  .object({
    mode: z
      .enum(['voltage', 'laser'])
      .default('voltage')
      .describe('voltage: m/q = 2·α·(V + β·Vp)·e·(t/L)²/amu; laser: m/q = 2·V·e·(t/L)²/amu (no pulse term).'),
    t0: z.number().default(0).describe('Time offset subtracted from the time of flight, in ns.'),
    L0: z
      .number()
      .positive()
      .describe('Flight path length from specimen to detector centre, in mm (PyCCAPT: flightPathLength).'),
    alpha: z.number().default(1.015).describe('Pulse amplification factor α (voltage mode).'),
    beta: z
      .number()
      .default(0.7)
      .describe('Fraction β of the pulse voltage the ions see on average (voltage mode).'),
    t: z.string().min(1).default('t (ns)').describe('Time-of-flight column, in ns.'),
    voltage: z.string().min(1).default('high_voltage (V)').describe('Standing (DC) voltage column, in V.'),
    pulse: z
      .string()
      .min(1)
      .default('pulse_v (V)')
      .describe('Pulse voltage column, in V (voltage mode only).'),
    x: z.string().min(1).default('x_det (cm)').describe('Detector x column, in cm (PyCCAPT units).'),
    y: z.string().min(1).default('y_det (cm)').describe('Detector y column, in cm (PyCCAPT units).'),
    out: z
      .string()
      .min(1)
      .default('mc (Da)')
      .describe('Column to write m/q into, in Da (float64); replaces a column of that name.'),
  })
  .strict()
  .describe(
    "Time of flight → mass-to-charge as PyCCAPT's tof2mc: m/q = 2·α·(V + β·Vp)·e·((t − t0)/L)²/amu with " +
      'L = √(x² + y² + L0²) in metres (t ns → s, x/y cm → m, L0 mm → m), e = 1.6e-19 C, amu = 1.66e-27 kg, ' +
      'computed in float64 in the order PyCCAPT computes it.',
  );

export type Tof2mcParams = z.output<typeof params>;

export default defineStage({
  name: 'tof2mc',
  kind: 'transform',
  keepsRows: true,
  params,
  history: () => 0,
  schema: (p, input) => outputSchema(p, input),
  create: (p, ctx) => {
    const schema = outputSchema(p, ctx.schema);
    return (batch: Batch) => {
      const data = new Float64Array(batch.rows);
      const column = (name: string) => getColumn(batch, name).data as NumberArray; // checked by outputSchema
      tofToMassToCharge(
        p,
        column(p.t),
        column(p.voltage),
        p.mode === 'voltage' ? column(p.pulse) : undefined,
        column(p.x),
        column(p.y),
        data,
      );
      const columns: Record<string, Column> = { ...batch.columns, [p.out]: { data, width: 1 } };
      return { ...batch, schema, columns };
    };
  },
});

function outputSchema(p: Tof2mcParams, input: Schema): Schema {
  const inputs = [p.t, p.voltage, p.x, p.y, ...(p.mode === 'voltage' ? [p.pulse] : [])];
  for (const name of inputs) {
    const c = requireColumn(input, name, 'tof2mc');
    if (c.width !== 1 || c.dtype === 'int64' || c.dtype === 'uint64') {
      throw new SluiceError('PARAMS_INVALID', `tof2mc: column '${name}' is not a scalar number column`, {
        hint: `it is ${c.dtype} of width ${c.width}`,
      });
    }
  }
  const out: ColumnSchema = { name: p.out, dtype: 'float64', width: 1, unit: 'Da' };
  const replaced = input.columns.some((c) => c.name === p.out);
  return {
    ...input,
    columns: replaced ? input.columns.map((c) => (c.name === p.out ? out : c)) : [...input.columns, out],
  };
}
