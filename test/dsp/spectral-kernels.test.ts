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
  it.each([1, 2, 3, 4, 8, 12, 16, 32, 64, 255, 256, 512, 1000, 1024, 1500, 2048, 4096, 8192])(
    'nfft %i equals a float64 DFT',
    (nfft) => {
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
    },
  );

  it.each([8, 16, 32, 64, 256, 512, 4096])(
    'nfft %i: power summed from the packed transform equals re² + im² of the bins, bit for bit',
    (nfft) => {
      const fft = new RealFft(nfft);
      const x = Float64Array.from({ length: nfft }, (_, i) => Math.sin(i * 0.7) * 3 + (i % 5) - 1e-3 * i);
      fft.input.set(x);
      fft.run();
      const fused = new Float64Array(fft.bins).fill(0.5);
      fft.addPowerTo(fused); // before unpack
      const [re, im] = [new Float64Array(fft.bins), new Float64Array(fft.bins)];
      fft.unpack(re, im);
      const after = new Float64Array(fft.bins).fill(0.5);
      fft.addPowerTo(after); // after unpack: the same
      const expected = Array.from(re, (r, k) => 0.5 + (r * r + im[k] * im[k]));
      expect([...fused]).toEqual(expected);
      expect([...after]).toEqual(expected);
      expect(im[0]).toBe(0);
      expect(im[fft.bins - 1]).toBe(0);
    },
  );

  it.each([8, 16, 32, 256, 512, 4096])(
    'nfft %i: runWindowed (float32 read, detrended and windowed in the first pass) equals run() bit for bit',
    (nfft) => {
      const data = Float32Array.from({ length: nfft + 37 }, (_, i) => Math.cos(i * 0.11) * 100 + i);
      const w = Float64Array.from({ length: nfft }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nfft));
      const [fused, plain] = [new RealFft(nfft), new RealFft(nfft)];
      const [a, b] = [new Float64Array(fused.bins), new Float64Array(plain.bins)];
      for (const [offset, mean] of [
        [0, 0],
        [37, 51.25],
        [3, -0.1],
      ]) {
        expect(fused.runWindowed(data, offset, mean, w)).toBe(true);
        for (let i = 0; i < nfft; i++) plain.input[i] = (data[offset + i] - mean) * w[i];
        plain.run();
        fused.powerInto(a);
        plain.powerInto(b);
        expect([...a]).toEqual([...b]);
      }
      // A window shorter than nfft (zero padding) is left to the copy into `input`.
      expect(fused.runWindowed(data, 0, 0, w.subarray(1))).toBe(false);
    },
  );
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
