/**
 * Time of flight → mass-to-charge as PyCCAPT's tof2mc, in float64 and in PyCCAPT's order of
 * operations, so that results match it bit for bit.
 */
import type { NumberArray } from '../core/dtype.ts';

/** PyCCAPT's constants (rounded as PyCCAPT rounds them, so results match it). */
export const ELEMENTARY_CHARGE = 1.6e-19;
export const AMU = 1.66e-27;

/** The tof2mc params the formula reads. */
export interface MassToChargeParams {
  readonly mode: 'voltage' | 'laser';
  /** Time offset, ns. */
  readonly t0: number;
  /** Flight path length, mm. */
  readonly L0: number;
  readonly alpha: number;
  readonly beta: number;
}

/** Writes m/q (Da) of every row into `out`; `pulse` undefined in laser mode. */
export function tofToMassToCharge(
  p: MassToChargeParams,
  t: NumberArray,
  voltage: NumberArray,
  pulse: NumberArray | undefined,
  x: NumberArray,
  y: NumberArray,
  out: Float64Array,
): void {
  const { t0, alpha, beta } = p;
  const l0 = p.L0 * 1e-3;
  const l0Squared = l0 * l0;
  const e = ELEMENTARY_CHARGE;
  const amu = AMU;
  for (let i = 0; i < out.length; i++) {
    // PyCCAPT's steps and order: t − t0, ns → s, cm → m, mm → m, then L and m/q.
    const ts = (t[i] - t0) * 1e-9;
    const xm = x[i] * 1e-2;
    const ym = y[i] * 1e-2;
    const length = Math.sqrt(xm * xm + ym * ym + l0Squared);
    const ratio = ts / length;
    const v = pulse ? 2 * alpha * (voltage[i] + beta * pulse[i]) : 2 * voltage[i];
    out[i] = (v * e * (ratio * ratio)) / amu;
  }
}
