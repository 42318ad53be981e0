/**
 * The opt-in float32 FFT (`fft: float32`, PFFFT WASM SIMD): its bins against fft.js, its
 * accuracy against the scipy goldens (the bound documented on the param), chunk invariance,
 * the float64 fallback for sizes it does not serve, and that its WASM buffers are freed.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseNpyHeader } from '../../src/formats/npy/header.ts';
import { run } from '../../src/pipeline/api.ts';
import type { StageRef } from '../../src/pipeline/api.ts';
import type { PsdResult } from '../../src/dsp/psd-accumulator.ts';
import { createRealTransform, float32Supported, loadFloat32Fft, PffftReal } from '../../src/dsp/pffft.ts';
import type { PffftModule } from '../../src/dsp/pffft.ts';
import { RealFft } from '../../src/dsp/real-fft.ts';
import { detrendInPlace } from '../../src/dsp/detrend.ts';
import type { DetrendMethod } from '../../src/dsp/detrend.ts';
import { SegmentSpectrum } from '../../src/dsp/segment-spectrum.ts';
import { readSegment } from '../../src/dsp/segments.ts';
import { makeWindow } from '../../src/dsp/windows.ts';
import { goldenCases, readGolden } from '../support/golden.ts';

interface WelchGolden {
  signal: string;
  sampleRate: number | null;
  params: Record<string, unknown> & { nperseg?: number; nfft?: number };
  psd: number[];
}

// Measured on the committed goldens with power-of-two nfft (256–4096; float32 and float64
// signals, dynamic range up to 1.5e5, mean and median, density and spectrum, constant and
// linear detrend): per-bin relative error max 3.2e-6, median 3.8e-8 … 3.0e-7; at most 8e-8
// of the peak bin. Asserted with margin.
const MAX_RELATIVE = 2e-5;
const MEDIAN_RELATIVE = 2e-6;

function relativeErrors(actual: readonly number[], expected: readonly number[]): number[] {
  return expected.map((e, k) => (actual[k] === e ? 0 : Math.abs(actual[k] - e) / Math.abs(e)));
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function source(g: WelchGolden, chunkRows: number): StageRef {
  const path = `test/fixtures/npy/spectral-${g.signal}.npy`;
  return { type: 'npy', path, chunkRows, sampleRate: g.sampleRate ?? undefined };
}

async function welchPsd(g: WelchGolden, chunkRows: number, fft: 'float32' | 'float64'): Promise<PsdResult> {
  const report = await run({ source: source(g, chunkRows), sinks: [{ type: 'welch', ...g.params, fft }] });
  return report.sinks[0].result as PsdResult;
}

let pffft: PffftModule;
beforeAll(async () => {
  pffft = await loadFloat32Fft();
});

describe('the fused float64 path', () => {
  const cases: [string, DetrendMethod, number, number][] = [
    ['float32', 'constant', 256, 256],
    ['float32', 'constant', 512, 512],
    ['float32', 'none', 64, 64],
    ['float64', 'constant', 300, 512],
    ['float32', 'none', 100, 150],
    ['float64', 'linear', 64, 64],
    ['int16', 'constant', 128, 128],
  ];
  it.each(cases)(
    'equals read → detrend → window → fft bit for bit (%s, %s, n %i, nfft %i)',
    (type, detrend, n, nfft) => {
      const values = Array.from(
        { length: 3 * n },
        (_, i) => Math.round(1000 * Math.sin(i * 0.3)) + 500 + i * 0.25,
      );
      const data =
        type === 'float32'
          ? Float32Array.from(values)
          : type === 'int16'
            ? Int16Array.from(values)
            : Float64Array.from(values);
      const w = makeWindow({ name: 'hann' }, n);
      const spectrum = new SegmentSpectrum(w, nfft, detrend);
      const fused = new Float64Array(spectrum.bins);
      const reference = new Float64Array(spectrum.bins);
      const x = new Float64Array(n);
      const [re, im] = [new Float64Array(spectrum.bins), new Float64Array(spectrum.bins)];
      const fft = new RealFft(nfft);
      const held = { re: spectrum.re, im: spectrum.im };
      for (const offset of [0, 7, 2 * n - 1]) {
        spectrum.transformAt(data, offset);
        spectrum.addPowerTo(fused);
        readSegment(data, offset, x);
        detrendInPlace(x, detrend);
        for (let i = 0; i < n; i++) x[i] *= w[i];
        fft.transform(x, re, im);
        for (let k = 0; k < re.length; k++) reference[k] += re[k] * re[k] + im[k] * im[k];
        // References taken before the loop see every transform (callers rely on it).
        expect([...held.re]).toEqual([...re]);
        expect([...held.im]).toEqual([...im]);
      }
      expect([...fused]).toEqual([...reference]);
    },
  );
});

describe('PffftReal', () => {
  it.each([32, 64, 512, 4096, 8192])('equals fft.js to float32 precision at nfft %i', (nfft) => {
    const x = Float64Array.from(
      { length: nfft - 3 },
      (_, i) => Math.sin(i * 0.37) + 0.25 * Math.cos(i * 2.1) + 0.1,
    );
    const f32 = createRealTransform(nfft, 'float32');
    const f64 = new RealFft(nfft);
    expect(f32).toBeInstanceOf(PffftReal);
    const bins = nfft / 2 + 1;
    const [re32, im32, re64, im64] = Array.from({ length: 4 }, () => new Float64Array(bins));
    f32.transform(x, re32, im32);
    f64.transform(x, re64, im64);
    let peak = 0;
    let worst = 0;
    for (let k = 0; k < bins; k++) peak = Math.max(peak, Math.hypot(re64[k], im64[k]));
    for (let k = 0; k < bins; k++) worst = Math.max(worst, Math.hypot(re32[k] - re64[k], im32[k] - im64[k]));
    expect(worst / peak).toBeLessThan(1e-6);
    expect(im32[0]).toBe(0);
    expect(im32[bins - 1]).toBe(0);
    const power32 = new Float64Array(bins);
    f32.powerInto(power32);
    for (let k = 0; k < bins; k++) expect(power32[k]).toBeCloseTo(re32[k] ** 2 + im32[k] ** 2, 10);
    f32.dispose();
  });

  it('serves powers of two ≥ 32 only; other sizes get the exact fft.js path', () => {
    expect([16, 32, 48, 1000, 1024].map(float32Supported)).toEqual([false, true, false, false, true]);
    expect(createRealTransform(1000, 'float32')).toBeInstanceOf(RealFft);
    expect(createRealTransform(16, 'float32')).toBeInstanceOf(RealFft);
  });

  it('frees its WASM buffers on dispose (no growth over many instances) and refuses use after', () => {
    const warm = createRealTransform(4096, 'float32');
    warm.dispose();
    const bytes = pffft.HEAPF32.buffer.byteLength;
    for (let i = 0; i < 2000; i++) createRealTransform(4096, 'float32').dispose();
    expect(pffft.HEAPF32.buffer.byteLength).toBe(bytes);
    expect(() => warm.run()).toThrow(/dispose/);
  });
});

describe('welch fft: float32 against scipy', () => {
  const cases = goldenCases('welch')
    .map((name) => [name, readGolden<WelchGolden>('welch', name)] as const)
    .filter(([, g]) => float32Supported(g.params.nfft ?? g.params.nperseg ?? 256) && g.signal !== 'short');

  it.each(cases)('%s within the documented bound, identical for every chunk size', async (_name, g) => {
    const n = g.params.nperseg ?? 256;
    const whole = await welchPsd(g, 1 << 20, 'float32');
    const errors = relativeErrors(whole.psd, g.psd);
    expect(Math.max(...errors)).toBeLessThan(MAX_RELATIVE);
    expect(medianOf(errors)).toBeLessThan(MEDIAN_RELATIVE);
    for (const chunkRows of [n - 1, 3 * n + 5]) {
      const chunked = await welchPsd(g, chunkRows, 'float32');
      expect(Math.max(...relativeErrors(chunked.psd, whole.psd))).toBeLessThan(1e-12);
    }
  });

  it('falls back to the exact path for a non-power-of-two nfft', async () => {
    const g = readGolden<WelchGolden>('welch', 'f64-1000-nfft1500-kaiser');
    const [a, b] = await Promise.all([welchPsd(g, 1 << 20, 'float32'), welchPsd(g, 1 << 20, 'float64')]);
    expect(a.psd).toEqual(b.psd);
  });
});

describe('fft: float32 in the transform and the spectrogram', () => {
  it('segment → fft(float32) → psd equals the welch float32 path', async () => {
    const g = readGolden<WelchGolden>('welch', 'f32-default');
    const steps: StageRef[] = [
      { type: 'segment', length: 256, hop: 128 },
      { type: 'detrend', method: 'constant' },
      { type: 'window', name: 'hann' },
      { type: 'fft', output: 'power', fft: 'float32' },
    ];
    const report = await run({ source: source(g, 1000), steps, sinks: [{ type: 'psd' }] });
    const psd = (report.sinks[0].result as PsdResult).psd;
    expect(Math.max(...relativeErrors(psd, g.psd))).toBeLessThan(MAX_RELATIVE);
  });

  it('spectrogram fft: float32 is within 1e-6 of the peak of scipy’s Sxx', async () => {
    const g = readGolden<WelchGolden & { endRow: number; sxx: number[]; shape: [number, number] }>(
      'spectrogram',
      'f32-default',
    );
    const out = join(mkdtempSync(join(tmpdir(), 'sluice-spectrogram-f32-')), 'sxx.npy');
    const src = { ...source(g, 999), endRow: g.endRow };
    await run({ source: src, sinks: [{ type: 'spectrogram', ...g.params, fft: 'float32', out }] });
    const bytes = readFileSync(out);
    const header = parseNpyHeader(new Uint8Array(bytes), out);
    const values = new Float64Array(Uint8Array.from(bytes.subarray(header.dataOffset)).buffer);
    const [f, t] = g.shape;
    const peak = Math.max(...g.sxx);
    let worst = 0;
    for (let idx = 0; idx < f * t; idx++) {
      const v = values[(idx % t) * f + Math.floor(idx / t)];
      worst = Math.max(worst, Math.abs(v - g.sxx[idx]) / peak);
    }
    expect(worst).toBeLessThan(1e-6);
  });
});
