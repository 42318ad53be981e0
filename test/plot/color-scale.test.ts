import { describe, expect, it } from 'vitest';
import { LEVELS, levelOf, viridis, viridisBytes, viridisLevel } from '../../src/plot/color-scale.ts';

/**
 * Entries of matplotlib's _viridis_data (lib/matplotlib/_cm_listed.py, the 256-entry table
 * viridis is a ListedColormap of), copied from that file: index → [r, g, b] in 0 … 1.
 */
const MATPLOTLIB_VIRIDIS: Record<number, [number, number, number]> = {
  0: [0.267004, 0.004874, 0.329415],
  1: [0.26851, 0.009605, 0.335427],
  64: [0.229739, 0.322361, 0.545706],
  128: [0.127568, 0.566949, 0.550556],
  192: [0.369214, 0.788888, 0.382914],
  254: [0.983868, 0.904867, 0.136897],
  255: [0.993248, 0.906157, 0.143936],
};

describe('viridis', () => {
  it('is matplotlib’s 256-entry table, rounded to bytes', () => {
    for (const [index, rgb] of Object.entries(MATPLOTLIB_VIRIDIS)) {
      expect(viridisBytes(Number(index))).toEqual(rgb.map((v) => Math.round(v * 255)));
    }
    // 256 levels, 254 distinct colours (two pairs of neighbours round to the same bytes).
    const all = new Set(Array.from({ length: LEVELS }, (_, k) => viridisLevel(k)));
    expect(LEVELS).toBe(256);
    expect(all.size).toBe(254);
  });

  it('looks t up as matplotlib does: entry ⌊t·256⌋, clipped to 0 … 255', () => {
    expect(viridis(0)).toBe('#440154');
    expect(viridis(1)).toBe('#fde725');
    expect(viridis(0.5)).toBe(viridisLevel(128));
    expect(viridis(0.25)).toBe('#3b528b');
    expect(viridis(0.75)).toBe('#5ec962');
    expect(viridis(127.9 / 256)).toBe(viridisLevel(127));
    expect(viridis(-1)).toBe(viridis(0));
    expect(viridis(2)).toBe(viridis(1));
  });

  it('maps values to levels linearly or by decades, blank for NaN and for ≤ 0 on a log scale', () => {
    const linear = levelOf(0, 10, false);
    expect([0, 5, 10, 9.99].map(linear)).toEqual([0, 128, 255, 255]);
    expect(linear(NaN)).toBe(-1);
    const log = levelOf(1, 100, true);
    expect([1, 10, 100, 0].map(log)).toEqual([0, 128, 255, -1]);
  });
});
