/**
 * EPOS columns → PyCCAPT's 15-column layout, as PyCCAPT's epos_to_ccapt: which EPOS column
 * each one comes from, and the numpy astype each one takes.
 */
import type { Batch, Column } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import type { DType, TypedArray } from '../core/dtype.ts';
import type { Schema } from '../core/schema.ts';
import { ReusedArrays } from '../core/reused-arrays.ts';

/**
 * PyCCAPT's 15 columns in order: the EPOS column each comes from (undefined: all zeros), its
 * dtype, a divisor (mm → cm) and its unit.
 */
export const PYCCAPT_COLUMNS: readonly {
  readonly name: string;
  readonly from?: string;
  readonly dtype: 'float32' | 'int32';
  readonly divisor?: number;
  readonly unit?: string;
}[] = [
  { name: 'x (nm)', from: 'x (nm)', dtype: 'float32', unit: 'nm' },
  { name: 'y (nm)', from: 'y (nm)', dtype: 'float32', unit: 'nm' },
  { name: 'z (nm)', from: 'z (nm)', dtype: 'float32', unit: 'nm' },
  { name: 'mc (Da)', from: 'm/n (Da)', dtype: 'float32', unit: 'Da' },
  { name: 'mc_uc (Da)', dtype: 'float32', unit: 'Da' },
  { name: 'high_voltage (V)', from: 'HV_DC (V)', dtype: 'float32', unit: 'V' },
  { name: 'pulse_v (V)', from: 'pulse (V)', dtype: 'float32', unit: 'V' },
  { name: 'pulse_l (pJ)', dtype: 'float32', unit: 'pJ' },
  { name: 't (ns)', from: 'TOF (ns)', dtype: 'float32', unit: 'ns' },
  { name: 't_c (ns)', dtype: 'float32', unit: 'ns' },
  { name: 'x_det (cm)', from: 'det_x (mm)', dtype: 'float32', divisor: 10, unit: 'cm' },
  { name: 'y_det (cm)', from: 'det_y (mm)', dtype: 'float32', divisor: 10, unit: 'cm' },
  { name: 'delta_p', from: 'pslep', dtype: 'int32' },
  { name: 'multi', from: 'ipp', dtype: 'int32' },
  { name: 'start_counter', dtype: 'int32' },
];

/**
 * One all-zero array per dtype, grown as needed and shared by every batch (batches are
 * immutable, so the zero columns can be views onto it).
 */
export class ZeroBuffers {
  private float32 = new Float32Array(0);
  private int32 = new Int32Array(0);

  get(dtype: 'float32' | 'int32', rows: number): Float32Array | Int32Array {
    if (dtype === 'float32') {
      if (this.float32.length < rows) this.float32 = new Float32Array(rows);
      return this.float32.subarray(0, rows);
    }
    if (this.int32.length < rows) this.int32 = new Int32Array(rows);
    return this.int32.subarray(0, rows);
  }
}

export function toPyccaptBatch(
  batch: Batch,
  schema: Schema,
  zeros: ZeroBuffers,
  arrays = new ReusedArrays(false),
): Batch {
  const columns: Record<string, Column> = {};
  for (const c of PYCCAPT_COLUMNS) {
    const data = c.from
      ? convertColumn(getColumn(batch, c.from).data, c.dtype, c.divisor, (type, length) =>
          arrays.take(c.name, type, length),
        )
      : zeros.get(c.dtype, batch.rows);
    columns[c.name] = { data, width: 1 };
  }
  return { ...batch, schema, columns };
}

/** Where convertColumn's output arrays come from. */
type Allocate = <T extends Float32Array | Int32Array>(type: new (length: number) => T, length: number) => T;

/**
 * `data` as `dtype` (numpy's astype), divided by `divisor` in float32 when given. A view when
 * nothing changes (float32 → float32, uint32 ↔ int32 reinterpreted: numpy's wrap-around cast).
 */
export function convertColumn(
  data: TypedArray,
  dtype: DType & ('float32' | 'int32'),
  divisor?: number,
  allocate: Allocate = (type, length) => new type(length),
): TypedArray {
  if (dtype === 'int32') {
    if (data instanceof Int32Array) return data;
    if (data instanceof Uint32Array) return new Int32Array(data.buffer, data.byteOffset, data.length);
    const out = allocate(Int32Array, data.length);
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      // astype(int32) keeps the low 32 bits; Number() would round values past 2^53 first.
      for (let i = 0; i < data.length; i++) out[i] = Number(BigInt.asIntN(32, data[i]));
      return out;
    }
    for (let i = 0; i < data.length; i++) out[i] = data[i]; // typed-array store wraps like astype
    return out;
  }
  if (data instanceof Float32Array && divisor === undefined) return data;
  const out = allocate(Float32Array, data.length);
  if (divisor === undefined) {
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  } else if (data instanceof Float32Array) {
    // float32 ÷ 10 in float32: the double quotient rounded once is the correctly rounded float32 one.
    for (let i = 0; i < data.length; i++) out[i] = data[i] / divisor;
  } else {
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]) / divisor;
  }
  return out;
}
