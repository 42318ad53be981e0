/** The fixture formulas of test/fixtures/make_atom_probe_fixtures.py, recomputed exactly. */
const f = Math.fround;

export const formulas = {
  x: (i: number) => f((i % 97) * 0.5 - 20),
  y: (i: number) => f((i % 89) * 0.25 - 10),
  z: (i: number) => f(i * 0.01),
  mn: (i: number) => f((i % 500) * 0.125 + 1),
  tof: (i: number) => f(100 + i * 0.5),
  hv: (i: number) => f(5000 + i),
  pulse: (i: number) => f(1000 + (i % 7)),
  detx: (i: number) => f((i % 41) - 20.5),
  dety: (i: number) => f((i % 43) * 0.75 - 16),
  pslep: (i: number) => i % 5,
  ipp: (i: number) => Math.imul(i, 2654435761 | 0) >>> 0,
};

/** EPOS column → its formula. */
export const EPOS_FORMULAS: Record<string, (i: number) => number> = {
  'x (nm)': formulas.x,
  'y (nm)': formulas.y,
  'z (nm)': formulas.z,
  'm/n (Da)': formulas.mn,
  'TOF (ns)': formulas.tof,
  'HV_DC (V)': formulas.hv,
  'pulse (V)': formulas.pulse,
  'det_x (mm)': formulas.detx,
  'det_y (mm)': formulas.dety,
  pslep: formulas.pslep,
  ipp: formulas.ipp,
};

export function expected(formula: (i: number) => number, from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => formula(from + k));
}
