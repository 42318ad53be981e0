/** Windows, detrend, the real FFT and segment ownership against scipy/numpy and first principles. */
import { describe, expect, it } from 'vitest';
import { RealFft } from '../../src/dsp/real-fft.ts';
import { detrendInPlace } from '../../src/dsp/detrend.ts';
import { ownedSegments } from '../../src/dsp/segments.ts';
import { medianBias } from '../../src/dsp/spectral-scaling.ts';
import type { WindowParam } from '../../src/dsp/windows.ts';
import { makeWindow, toWindowSpec } from '../../src/dsp/windows.ts';
import { readGolden } from '../support/golden.ts';

interface WindowCase {
  window: WindowParam;
  length: number;
  sym: boolean;
  values: number[];
}

describe('windows equal scipy.signal.get_window', () => {
  const { cases } = readGolden<{ cases: WindowCase[] }>('spectral', 'windows');
  it.each(cases.map((c) => [JSON.stringify(c.window), c.length, c.sym, c] as const))(
    '%s M=%i sym=%s',
    (_label, m, sym, c) => {
      const w = makeWindow(toWindowSpec(c.window), m, sym);
      expect(w.length).toBe(c.values.length);
      for (let i = 0; i < m; i++) expect(Math.abs(w[i] - c.values[i])).toBeLessThan(1e-14);
    },
  );
});

describe('detrend equals scipy.signal.detrend', () => {
  const g = readGolden<{ input: number[]; width: number; constant: number[]; linear: number[] }>(
    'spectral',
    'detrend',
  );
  it.each(['constant', 'linear'] as const)('%s', (method) => {
    const rows = Float64Array.from(g.input);
    for (let r = 0; r < rows.length / g.width; r++)
      detrendInPlace(rows.subarray(r * g.width, (r + 1) * g.width), method);
    rows.forEach((v, i) => expect(Math.abs(v - g[method][i])).toBeLessThan(1e-13));
  });
});

describe('RealFft', () => {
  it.each([1, 2, 3, 8, 12, 255, 256, 1000, 1500, 2048])('nfft %i equals a float64 DFT', (nfft) => {
    const n = Math.max(1, nfft - 3);
    const x = Float64Array.from({ length: n }, (_, i) => 1 + Math.sin(i * 1.3) + 0.01 * i);
    const fft = new RealFft(nfft);
    const re = new Float64Array(fft.bins);
    const im = new Float64Array(fft.bins);
    fft.transform(x, re, im);
    let worst = 0;
    let norm = 0;
    for (let k = 0; k < fft.bins; k++) {
      let r = 0;
      let s = 0;
      for (let j = 0; j < n; j++) {
        const angle = (2 * Math.PI * ((j * k) % nfft)) / nfft;
        r += x[j] * Math.cos(angle);
        s -= x[j] * Math.sin(angle);
      }
      worst = Math.max(worst, Math.hypot(r - re[k], s - im[k]));
      norm = Math.max(norm, Math.hypot(r, s));
    }
    expect(worst / norm).toBeLessThan(1e-12);
  });
});

describe('segment ownership', () => {
  it('every segment is owned by exactly one batch, for any chunk size', () => {
    const g = { length: 10, hop: 3, origin: 2 };
    const rows = 100;
    const expected = Math.floor((rows - g.origin - g.length) / g.hop) + 1;
    for (const chunk of [1, 9, 10, 35, 1000]) {
      const seen: number[] = [];
      for (let from = 0; from < rows; from += chunk) {
        const history = Math.min(9, from);
        const to = Math.min(rows, from + chunk);
        const { first, count } = ownedSegments(
          { start: from - history, rows: to - from + history, history },
          g,
        );
        for (let k = first; k < first + count; k++) seen.push(k);
      }
      expect(seen).toEqual(Array.from({ length: expected }, (_, k) => k));
    }
  });

  it('median bias as scipy', () => {
    expect(medianBias(1)).toBe(1);
    expect(medianBias(3)).toBeCloseTo(1 + 1 / 3 - 1 / 2, 15);
  });
});
