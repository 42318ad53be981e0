/**
 * A deterministic synthetic EPOS: `npm start` makes a small one under data/sample/ and
 * `npm run bench` a 1.2 GB one (bench/epos.ts), from this one generator.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const RECORD = 44;

/** The mass peaks (Da) the ions are drawn from, equally often, each ±0.5 % wide (uniform). */
export const EPOS_PEAKS = [12, 27, 28, 56] as const;

/** A big-endian EPOS of `ions` records: ions spread over a 35 mm detector, a few mass peaks. */
export function writeEpos(path: string, ions: number): void {
  const perChunk = 1 << 16;
  const buffer = new ArrayBuffer(perChunk * RECORD);
  const view = new DataView(buffer);
  const fd = openSync(path, 'w');
  let seed = 987654321;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
  try {
    for (let start = 0; start < ions; start += perChunk) {
      const n = Math.min(perChunk, ions - start);
      for (let i = 0; i < n; i++) {
        const o = i * RECORD;
        const r = 35 * Math.sqrt(random());
        const phi = 2 * Math.PI * random();
        const mass = EPOS_PEAKS[(random() * 4) | 0] * (1 + (random() - 0.5) * 0.01);
        view.setFloat32(o, r * 0.1, false);
        view.setFloat32(o + 4, phi, false);
        view.setFloat32(o + 8, (start + i) * 1e-6, false);
        view.setFloat32(o + 12, mass, false);
        view.setFloat32(o + 16, 300 + mass * 10, false);
        view.setFloat32(o + 20, 5000 + (start + i) * 1e-4, false);
        view.setFloat32(o + 24, 1000, false);
        view.setFloat32(o + 28, r * Math.cos(phi), false);
        view.setFloat32(o + 32, r * Math.sin(phi), false);
        view.setUint32(o + 36, (random() * 1000) | 0, false);
        view.setUint32(o + 40, 1, false);
      }
      writeSync(fd, new Uint8Array(buffer, 0, n * RECORD));
    }
  } finally {
    closeSync(fd);
  }
}
