/** The synthetic atom-probe run the demo plots (scripts/sample-epos.ts): its spectrum and detector. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EPOS_BACKGROUND, EPOS_PEAKS, EPOS_SPECIES, writeEpos } from '../../scripts/sample-epos.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-sample-epos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const IONS = 200_000;

function columns(path: string): { mass: Float64Array; detX: Float64Array; detY: Float64Array } {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / 44;
  const read = (offset: number) =>
    Float64Array.from({ length: n }, (_, i) => view.getFloat32(i * 44 + offset, false));
  return { mass: read(12), detX: read(28), detY: read(32) };
}

describe('the sample EPOS', () => {
  const a = join(dir, 'a.epos');
  const b = join(dir, 'b.epos');
  writeEpos(a, IONS);
  writeEpos(b, IONS);
  const { mass, detX, detY } = columns(a);

  it('is the same file every time (seeded)', () => {
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('has its species in their shares, each peak with a tail above it, on a decaying background', () => {
    const total = EPOS_SPECIES.reduce((s, p) => s + p.fraction, 0) / (1 - EPOS_BACKGROUND.share);
    const within = (lo: number, hi: number) => mass.filter((m) => m >= lo && m < hi).length / IONS;
    // Al⁺ (27) and Al²⁺ (13.5): nearly all of each within a few widths and its tail.
    for (const [mn, name] of [
      [EPOS_PEAKS[1], 'Al⁺'],
      [EPOS_PEAKS[0], 'Al²⁺'],
    ] as const) {
      const share = EPOS_SPECIES.find((s) => s.name === name)!.fraction / total;
      expect(within(mn - 0.3, mn + 0.6)).toBeGreaterThan(share * 0.95);
      expect(within(mn - 0.3, mn + 0.6)).toBeLessThan(share * 1.1);
      // The tail: more ions just above the peak than just below it.
      expect(within(mn + 0.15, mn + 0.45)).toBeGreaterThan(3 * within(mn - 0.45, mn - 0.15));
    }
    // The background falls off: more ions in 45–50 Da than in 90–95 Da (no peaks in either).
    expect(within(45, 50)).toBeGreaterThan(3 * within(90, 95));
    expect(mass.reduce((a, m) => Math.max(a, m), 0)).toBeLessThan(EPOS_BACKGROUND.end);
    // Isotopes: ⁶³Cu⁺ and ⁶⁵Cu⁺ about 69 : 31.
    const ratio = within(62.7, 63.5) / within(64.7, 65.5);
    expect(ratio).toBeGreaterThan(1.8);
    expect(ratio).toBeLessThan(2.8);
  });

  it('fills a round 35 mm detector', () => {
    let inner = 0;
    let outside = 0;
    for (let i = 0; i < detX.length; i++) {
      const r = Math.hypot(detX[i], detY[i]);
      if (r > 35.0001) outside++;
      if (r < 35 / Math.SQRT2) inner++;
    }
    expect(outside).toBe(0);
    // Uniform over the disc: half the hits within r / √2.
    expect(inner / IONS).toBeCloseTo(0.5, 2);
  });
});
