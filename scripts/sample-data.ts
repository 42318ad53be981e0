import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { formatNpyHeader } from '../src/formats/npy/header.ts';
import { EPOS_PEAKS, uniformSource, writeEpos } from './sample-epos.ts';

/** What the demo signal contains, so tests and docs can state expected results. */
export const SAMPLE_SIGNAL = {
  path: 'data/sample/signal.npy',
  samples: 16 * 1024 * 1024,
  sampleRate: 1e6,
  tones: [
    { frequency: 50_000, amplitude: 1.0 },
    { frequency: 123_000, amplitude: 0.5 },
  ],
  /** The linear trend rises from `trendStart` to `trendEnd` over the file. */
  trendStart: 0,
  trendEnd: 2,
  noiseStd: 0.1,
  seed: 20261121,
} as const;

/**
 * The synthetic atom-probe run `npm start` draws the mass spectrum of (22 MB): an aluminium
 * alloy's peaks (Al⁺ 27, Al²⁺ 13.5, AlH⁺ 28, AlO⁺ 43, O⁺/O₂⁺ 16/32, Mg, Cu and Ga isotopes) with
 * thermal tails on an exponential background, over a round detector (scripts/sample-epos.ts).
 * `peaks` are the strongest four.
 */
export const SAMPLE_EPOS = {
  path: 'data/sample/run.epos',
  ions: 500_000,
  peaks: EPOS_PEAKS,
} as const;

const CHUNK = 1 << 20;

/**
 * Writes the deterministic sample EPOS if it is absent, or was made by an older generator;
 * returns whether it wrote it.
 */
export function ensureSampleEpos(path: string = SAMPLE_EPOS.path): boolean {
  if (existsSync(path) && isCurrentSampleEpos(path)) return false;
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.partial`;
  writeEpos(temp, SAMPLE_EPOS.ions);
  renameSync(temp, path);
  return true;
}

/** Whether the file is what writeEpos makes now: its size, and its first 16 records. */
function isCurrentSampleEpos(path: string): boolean {
  if (statSync(path).size !== SAMPLE_EPOS.ions * 44) return false;
  const probe = `${path}.probe`;
  try {
    writeEpos(probe, 16);
    const expected = readFileSync(probe);
    const head = Buffer.alloc(expected.length);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    return head.equals(expected);
  } finally {
    rmSync(probe, { force: true });
  }
}

/** Writes the deterministic sample signal if it is absent; returns whether it wrote it. */
export function ensureSampleSignal(path: string = SAMPLE_SIGNAL.path): boolean {
  if (existsSync(path)) return false;
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.partial`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, formatNpyHeader({ descr: '<f4', fortranOrder: false, shape: [SAMPLE_SIGNAL.samples] }));
    const chunk = new Float32Array(CHUNK);
    const noise = gaussianSource(SAMPLE_SIGNAL.seed);
    for (let start = 0; start < SAMPLE_SIGNAL.samples; start += CHUNK) {
      fillSignal(chunk, start, noise);
      writeSync(fd, new Uint8Array(chunk.buffer));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  return true;
}

function fillSignal(out: Float32Array, start: number, noise: () => number): void {
  const { samples, sampleRate, tones, trendStart, trendEnd, noiseStd } = SAMPLE_SIGNAL;
  const w0 = (2 * Math.PI * tones[0].frequency) / sampleRate;
  const w1 = (2 * Math.PI * tones[1].frequency) / sampleRate;
  const slope = (trendEnd - trendStart) / samples;
  for (let i = 0; i < out.length; i++) {
    const n = start + i;
    out[i] =
      tones[0].amplitude * Math.sin(w0 * n) +
      tones[1].amplitude * Math.sin(w1 * n) +
      trendStart +
      slope * n +
      noiseStd * noise();
  }
}

/** Standard normal deviates from a seeded mulberry32 generator (Box–Muller, both outputs used). */
export function gaussianSource(seed: number): () => number {
  const uniform = uniformSource(seed);
  let spare = NaN;
  return () => {
    if (spare === spare) {
      const value = spare;
      spare = NaN;
      return value;
    }
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}
