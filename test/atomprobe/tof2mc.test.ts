/** tofToMassToCharge: PyCCAPT's tof2mc formula, against the numpy goldens and by hand. */
import { describe, expect, it } from 'vitest';
import type { NumberArray } from '../../src/core/dtype.ts';
import type { MassToChargeParams } from '../../src/atomprobe/tof2mc.ts';
import { AMU, ELEMENTARY_CHARGE, tofToMassToCharge } from '../../src/atomprobe/tof2mc.ts';
import { loadAtomProbeGolden } from '../transforms/atom-probe-golden.ts';

const f64 = (...values: number[]) => Float64Array.from(values);

describe('tofToMassToCharge', () => {
  it.each(['voltage', 'laser'] as const)('equals numpy bit for bit (%s mode)', (mode) => {
    const g = loadAtomProbeGolden('tof2mc', mode);
    const p = { alpha: 1.015, beta: 0.7, ...g.params } as MassToChargeParams;
    const column = (name: string) => g.inputs[name] as NumberArray;
    const out = new Float64Array(column('t (ns)').length);
    const pulse = mode === 'voltage' ? column('pulse_v (V)') : undefined;
    tofToMassToCharge(
      p,
      column('t (ns)'),
      column('high_voltage (V)'),
      pulse,
      column('x_det (cm)'),
      column('y_det (cm)'),
      out,
    );
    expect(Array.from(out)).toEqual(Array.from(g.outputs['mc (Da)'] as Float64Array));
  });

  it('computes 2·α·(V + β·Vp)·e·((t − t0)/L)²/amu with L in metres', () => {
    const p: MassToChargeParams = { mode: 'voltage', t0: 10, L0: 100, alpha: 1, beta: 0.5 };
    const out = new Float64Array(2);
    // Row 0 on axis (L = 0.1 m); row 1 at x = 3 cm, y = 4 cm (L = √(0.05² + 0.1²) m).
    tofToMassToCharge(p, f64(1010, 1010), f64(5000, 5000), f64(1000, 1000), f64(0, 3), f64(0, 4), out);
    const massToCharge = (length: number) => (11000 * ELEMENTARY_CHARGE * (1e-6 / length) ** 2) / AMU;
    expect(out[0]).toBeCloseTo(massToCharge(0.1), 10);
    expect(out[1]).toBeCloseTo(massToCharge(Math.sqrt(0.0125)), 10);
    expect(out[0]).toBeCloseTo(106.0241, 4);
  });

  it('has no pulse term in laser mode', () => {
    const out = new Float64Array(1);
    tofToMassToCharge(
      { mode: 'laser', t0: 0, L0: 100, alpha: 9, beta: 9 },
      f64(1000),
      f64(5000),
      undefined,
      f64(0),
      f64(0),
      out,
    );
    expect(out[0]).toBeCloseTo((10000 * ELEMENTARY_CHARGE * 1e-10) / AMU, 10);
  });
});
