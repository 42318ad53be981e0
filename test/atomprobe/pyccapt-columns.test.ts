/** EPOS → PyCCAPT columns: the astype of each column, views where numpy's cast changes nothing. */
import { describe, expect, it } from 'vitest';
import {
  convertColumn,
  PYCCAPT_COLUMNS,
  toPyccaptBatch,
  ZeroBuffers,
} from '../../src/atomprobe/pyccapt-columns.ts';
import { makeBatch } from '../support/batches.ts';

const epos = () => ({
  'x (nm)': Float32Array.from([1.5, -2]),
  'y (nm)': Float32Array.from([3, 4]),
  'z (nm)': Float32Array.from([5, 6]),
  'm/n (Da)': Float32Array.from([27, 56]),
  'TOF (ns)': Float32Array.from([400, 800]),
  'HV_DC (V)': Float32Array.from([5000, 5100]),
  'pulse (V)': Float32Array.from([0, 0]),
  'det_x (mm)': Float32Array.from([12.5, -30]),
  'det_y (mm)': Float32Array.from([7, 0.1]),
  pslep: Int32Array.from([0, 3]),
  ipp: Uint32Array.from([1, 2 ** 32 - 1]),
});

describe('convertColumn', () => {
  it('casts as numpy astype, dividing in float32 when asked', () => {
    expect(Array.from(convertColumn(Float64Array.from([1.1, -2.5]), 'float32') as Float32Array)).toEqual([
      Math.fround(1.1),
      -2.5,
    ]);
    expect(Array.from(convertColumn(Float32Array.from([12.5]), 'float32', 10) as Float32Array)).toEqual([
      Math.fround(1.25),
    ]);
    expect(Array.from(convertColumn(Float64Array.from([3.9, -3.9]), 'int32') as Int32Array)).toEqual([3, -3]);
  });

  it('returns views when nothing changes: float32 as is, uint32 reinterpreted as int32', () => {
    const f = Float32Array.from([1, 2]);
    expect(convertColumn(f, 'float32')).toBe(f);
    const u = Uint32Array.from([2 ** 32 - 1]);
    const i = convertColumn(u, 'int32') as Int32Array;
    expect(i.buffer).toBe(u.buffer);
    expect(i[0]).toBe(-1);
  });
});

describe('toPyccaptBatch', () => {
  it('gives the 15 columns in order, mm → cm, zeros shared between batches', () => {
    const zeros = new ZeroBuffers();
    const schema = { columns: [] };
    const a = toPyccaptBatch(makeBatch(epos()), schema, zeros);
    const b = toPyccaptBatch(makeBatch(epos()), schema, zeros);
    expect(Object.keys(a.columns)).toEqual(PYCCAPT_COLUMNS.map((c) => c.name));
    expect(Array.from(a.columns['x_det (cm)'].data as Float32Array)).toEqual([1.25, -3]);
    expect(Array.from(a.columns['y_det (cm)'].data as Float32Array)).toEqual([0.7, 0.01].map(Math.fround));
    expect(Array.from(a.columns['mc (Da)'].data as Float32Array)).toEqual([27, 56]);
    expect(Array.from(a.columns.multi.data as Int32Array)).toEqual([1, -1]);
    expect(Array.from(a.columns['t_c (ns)'].data as Float32Array)).toEqual([0, 0]);
    expect(a.columns.start_counter.data).toBeInstanceOf(Int32Array);
    expect(b.columns['mc_uc (Da)'].data.buffer).toBe(a.columns['t_c (ns)'].data.buffer);
    expect(a.schema).toBe(schema);
  });
});
