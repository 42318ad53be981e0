/** spectrogram equals scipy.signal.spectrogram (goldens by make_spectral_goldens.py) for every chunk size. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNpyHeader } from '../../src/io/npy-header.ts';
import { run } from '../../src/pipeline/api.ts';
import type { SpectrogramResult } from '../../src/sinks/spectrogram.ts';
import spectrogram from '../../src/sinks/spectrogram.ts';
import { goldenCases, readGolden } from '../support/golden.ts';

interface SpectrogramGolden {
  signal: string;
  sampleRate: number | null;
  params: Record<string, unknown> & { nperseg?: number };
  endRow: number;
  frequencies: number[];
  times: number[];
  shape: [number, number];
  sxx?: number[];
  re?: number[];
  im?: number[];
}

function expectClose(
  actual: ArrayLike<number>,
  expected: readonly number[],
  scale: number,
  where: string,
): void {
  expect(actual.length, where).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst / scale, where).toBeLessThan(1e-10);
}

describe.each(goldenCases('spectrogram'))('spectrogram %s equals scipy', (name) => {
  const g = readGolden<SpectrogramGolden>('spectrogram', name);
  const n = g.params.nperseg ?? 256;
  it.each([n - 1, 3 * n + 5, 1 << 20])('with chunkRows %i', async (chunkRows) => {
    const out = join(mkdtempSync(join(tmpdir(), 'sluice-spectrogram-')), 'sxx.npy');
    const source = {
      type: 'npy',
      path: `test/fixtures/npy/spectral-${g.signal}.npy`,
      endRow: g.endRow,
      chunkRows,
      sampleRate: g.sampleRate ?? undefined,
    };
    const report = await run({ source, sinks: [{ type: 'spectrogram', ...g.params, out }] });
    const result = report.sinks[0].result as SpectrogramResult;
    expect(result.shape).toEqual(g.shape);
    expect(result.frequencies).toEqual(g.frequencies);
    const times = Array.from(
      { length: result.times.count },
      (_, i) => result.times.first + i * result.times.step,
    );
    expectClose(times, g.times, 1, 'times');
    const bytes = readFileSync(out);
    const header = parseNpyHeader(new Uint8Array(bytes), out);
    expect(header.shape).toEqual(g.shape);
    expect(header.fortranOrder).toBe(true);
    const values = new Float64Array(Uint8Array.from(bytes.subarray(header.dataOffset)).buffer);
    const [f, t] = g.shape;
    // Fortran order: element (i, j) at j·F + i; scipy's JSON is C order, i·T + j.
    if (g.sxx) {
      expect(header.descr).toBe('<f8');
      const scale = Math.max(...g.sxx.map(Math.abs));
      const c = Float64Array.from({ length: f * t }, (_, idx) => values[(idx % t) * f + Math.floor(idx / t)]);
      expectClose(c, g.sxx, scale, 'sxx');
    } else {
      expect(header.descr).toBe('<c16');
      const re = Float64Array.from(
        { length: f * t },
        (_, idx) => values[2 * ((idx % t) * f + Math.floor(idx / t))],
      );
      const im = Float64Array.from(
        { length: f * t },
        (_, idx) => values[2 * ((idx % t) * f + Math.floor(idx / t)) + 1],
      );
      const scale = Math.max(...(g.re ?? []).map(Math.abs));
      expectClose(re, g.re ?? [], scale, 're');
      expectClose(im, g.im ?? [], scale, 'im');
    }
  });
});

describe('spectrogram params', () => {
  it('defaults are scipy’s and bad combinations are refused', () => {
    const p = spectrogram.params.parse({ out: 'x.npy' });
    expect(p).toMatchObject({
      nperseg: 256,
      window: { name: 'tukey', alpha: 0.25 },
      mode: 'psd',
      detrend: 'constant',
    });
    expect(spectrogram.params.safeParse({ out: 'x.npy', mode: 'complex', db: true }).success).toBe(false);
    expect(spectrogram.params.safeParse({ out: 'x.csv' }).success).toBe(false);
  });
});
