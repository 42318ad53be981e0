/**
 * A deterministic synthetic EPOS: `npm start` makes a small one under data/sample/ and
 * `npm run bench` a 1.2 GB one (bench/epos.ts), from this one generator.
 *
 * It looks like an aluminium alloy's atom-probe run: the mass spectrum has Al⁺, Al²⁺ and Al³⁺,
 * a hydride (AlH⁺), oxygen (O⁺, O₂⁺), an oxide (AlO⁺, AlO²⁺), hydrogen, the isotopes of Mg, Cu
 * and Ga (natural abundances), each peak a Gaussian core with a thermal tail towards higher
 * m/n (wider for molecular ions and hydrogen), on an exponentially decaying background; the
 * hits fill a round 35 mm detector and the reconstructed x, y a round specimen.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const RECORD = 44;

/** One ion species: its m/n (Da), share of all ions, and peak shape (relative to m/n). */
export interface EposSpecies {
  readonly name: string;
  readonly mn: number;
  readonly fraction: number;
  /** Standard deviation of the Gaussian core / m/n. */
  readonly width: number;
  /** Mean length of the exponential tail / m/n, and the share of ions in it. */
  readonly tail: number;
  readonly tailShare: number;
}

const ATOM = { width: 0.0015, tail: 0.006, tailShare: 0.3 } as const;
const MOLECULE = { width: 0.0025, tail: 0.01, tailShare: 0.35 } as const;
const HYDROGEN = { width: 0.004, tail: 0.02, tailShare: 0.4 } as const;

/** Isotopes of an element at `charge`: masses (Da) and natural abundances. */
function isotopes(
  name: string,
  charge: number,
  share: number,
  masses: readonly (readonly [number, number])[],
): EposSpecies[] {
  const sign = charge === 1 ? '⁺' : charge === 2 ? '²⁺' : '³⁺';
  return masses.map(([mass, abundance]) => ({
    name: `${Math.round(mass)}${name}${sign}`,
    mn: mass / charge,
    fraction: share * abundance,
    ...ATOM,
  }));
}

const MG = [
  [23.985, 0.7899],
  [24.9858, 0.1],
  [25.9826, 0.1101],
] as const;
const CU = [
  [62.9296, 0.6915],
  [64.9278, 0.3085],
] as const;
const GA = [
  [68.9256, 0.60108],
  [70.9247, 0.39892],
] as const;

/** The species, shares before normalising (they and the background add up to 1 after). */
export const EPOS_SPECIES: readonly EposSpecies[] = [
  { name: 'H⁺', mn: 1.0078, fraction: 0.015, ...HYDROGEN },
  { name: 'H₂⁺', mn: 2.0157, fraction: 0.01, ...HYDROGEN },
  { name: 'Al³⁺', mn: 26.9815 / 3, fraction: 0.02, ...ATOM },
  { name: 'Al²⁺', mn: 26.9815 / 2, fraction: 0.2, ...ATOM },
  { name: 'Al⁺', mn: 26.9815, fraction: 0.48, ...ATOM },
  { name: 'AlH⁺', mn: 27.9894, fraction: 0.035, ...MOLECULE },
  { name: 'O⁺', mn: 15.9949, fraction: 0.02, ...ATOM },
  { name: 'O₂⁺', mn: 31.9898, fraction: 0.012, ...MOLECULE },
  { name: 'AlO⁺', mn: 42.9764, fraction: 0.03, ...MOLECULE },
  { name: 'AlO²⁺', mn: 42.9764 / 2, fraction: 0.008, ...MOLECULE },
  ...isotopes('Mg', 2, 0.03, MG),
  ...isotopes('Mg', 1, 0.01, MG),
  ...isotopes('Cu', 2, 0.018, CU),
  ...isotopes('Cu', 1, 0.012, CU),
  ...isotopes('Ga', 1, 0.005, GA),
];

/** The background: this share of the ions, m/n = start + an exponential of this mean (Da). */
export const EPOS_BACKGROUND = { share: 0.06, start: 0.5, mean: 15, end: 200 } as const;

/** The m/n (Da) of the four most abundant species: Al²⁺, Al⁺, AlH⁺ and AlO⁺. */
export const EPOS_PEAKS = [13.49, 26.98, 27.99, 42.98] as const;

/** Ions draw their m/n from tables of 2^16 entries (2 × 256 KiB: they stay in cache), made once. */
const TABLE_BITS = 16;

/** Core m/n of each table entry, and the mean length of its tail (Da; 0 for an ion without one). */
interface MassTable {
  readonly cores: Float32Array;
  readonly tails: Float32Array;
}

let massTable: MassTable | undefined;

/** A table entry that stands for "a background ion". */
const BACKGROUND = 0;

/** The background's m/n from a uniform u in [0, 1): the exponential, truncated at its end. */
function backgroundMass(u: number): number {
  const { start, mean, end } = EPOS_BACKGROUND;
  return start - mean * Math.log(1 - u * (1 - Math.exp(-(end - start) / mean)));
}

/**
 * 2^16 species draws from the spectrum with their own seeded generator: the m/n of each
 * Gaussian core (Box–Muller) and, for ions in a thermal tail, its mean length. A 1.2 GB file
 * then costs a table look-up per ion, plus one logarithm for the ions in a tail or the
 * background, which are drawn per ion so their few counts per bin do not come in repeats.
 */
export function eposMassTable(): MassTable {
  if (massTable) return massTable;
  const table = new Float32Array(1 << TABLE_BITS);
  const tails = new Float32Array(1 << TABLE_BITS);
  const uniform = uniformSource(20261205);
  const total = EPOS_SPECIES.reduce((s, p) => s + p.fraction, 0) / (1 - EPOS_BACKGROUND.share);
  const cumulative: number[] = [];
  let sum = 0;
  for (const s of EPOS_SPECIES) cumulative.push((sum += s.fraction / total));
  for (let i = 0; i < table.length; i++) {
    const u = uniform();
    const k = cumulative.findIndex((c) => u < c);
    if (k < 0) {
      table[i] = BACKGROUND;
      continue;
    }
    const s = EPOS_SPECIES[k];
    const gauss = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    table[i] = s.mn * (1 + s.width * gauss);
    tails[i] = uniform() < s.tailShare ? s.tail * s.mn : 0;
  }
  massTable = { cores: table, tails };
  return massTable;
}

/** A big-endian EPOS of `ions` records: ions over a round 35 mm detector, the spectrum above. */
export function writeEpos(path: string, ions: number): void {
  const perChunk = 1 << 16;
  const buffer = new ArrayBuffer(perChunk * RECORD);
  const view = new DataView(buffer);
  const { cores, tails } = eposMassTable();
  const fd = openSync(path, 'w');
  let seed = 987654321;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  try {
    for (let start = 0; start < ions; start += perChunk) {
      const n = Math.min(perChunk, ions - start);
      for (let i = 0; i < n; i++) {
        const o = i * RECORD;
        // Five draws per ion, in this order (bench/reflectron-kernel.ts replays the first two).
        const r = 35 * Math.sqrt(random());
        const phi = 2 * Math.PI * random();
        const k = (random() * cores.length) | 0;
        const depth = random(); // also the tail's or the background's draw: both harmless
        const core = cores[k];
        const tail = tails[k];
        const mass =
          core === BACKGROUND ? backgroundMass(depth) : tail > 0 ? core - tail * Math.log(1 - depth) : core;
        const pulses = (random() * 1000) | 0;
        const detX = r * Math.cos(phi);
        const detY = r * Math.sin(phi);
        // The reconstruction: the detector seen through a 1.75 mm/nm projection, 0.1 nm per 1000 ions deep.
        view.setFloat32(o, detX / 1.75, false);
        view.setFloat32(o + 4, detY / 1.75, false);
        view.setFloat32(o + 8, (start + i) * 1e-4 + depth * 0.2, false);
        view.setFloat32(o + 12, mass, false);
        view.setFloat32(o + 16, 300 + mass * 10, false);
        view.setFloat32(o + 20, 5000 + (start + i) * 1e-4, false);
        view.setFloat32(o + 24, 1000, false);
        view.setFloat32(o + 28, detX, false);
        view.setFloat32(o + 32, detY, false);
        view.setUint32(o + 36, pulses, false);
        view.setUint32(o + 40, 1, false);
      }
      writeSync(fd, new Uint8Array(buffer, 0, n * RECORD));
    }
  } finally {
    closeSync(fd);
  }
}

/** Uniform deviates in (0, 1) from a seeded mulberry32 generator. */
export function uniformSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}
