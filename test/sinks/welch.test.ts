/**
 * welch and psd equal scipy.signal.welch on the whole array (goldens by
 * test/fixtures/make_spectral_goldens.py), identically for every chunk size, through the
 * sink and through the segment → detrend → window → fft → psd chain; shards merge exactly.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TypedArray } from '../../src/core/dtype.ts';
import { parseNpyHeader } from '../../src/formats/npy/header.ts';
import { run } from '../../src/pipeline/api.ts';
import type { StageRef } from '../../src/pipeline/api.ts';
import type { PsdResult } from '../../src/dsp/psd-accumulator.ts';
import { WelchAccumulator } from '../../src/dsp/welch-accumulator.ts';
import type { WelchParams } from '../../src/sinks/welch.ts';
import welch from '../../src/sinks/welch.ts';
import { chunkBatches } from '../support/batches.ts';
import { goldenCases, readGolden } from '../support/golden.ts';

interface WelchGolden {
  signal: string;
  sampleRate: number | null;
  params: Record<string, unknown> & { nperseg?: number };
  frequencies: number[];
  psd: number[];
  psd_scipy_f32?: number[];
}

function loadSignal(name: string): TypedArray {
  const bytes = readFileSync(`test/fixtures/npy/spectral-${name}.npy`);
  const header = parseNpyHeader(new Uint8Array(bytes), name);
  const data = Uint8Array.from(bytes.subarray(header.dataOffset)).buffer;
  return header.descr === '<f4' ? new Float32Array(data) : new Float64Array(data);
}

/** max over bins of |a − e| / |e|. */
function maxRelativeError(actual: readonly number[], expected: readonly number[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let k = 0; k < expected.length; k++) {
    const e = expected[k];
    const err = Math.abs(actual[k] - e) / Math.abs(e);
    worst = Math.max(worst, e === actual[k] ? 0 : err);
  }
  return worst;
}

function source(g: WelchGolden, chunkRows: number, extra: Record<string, unknown> = {}): StageRef {
  const sampleRate = g.sampleRate ?? undefined;
  return { type: 'npy', path: `test/fixtures/npy/spectral-${g.signal}.npy`, chunkRows, sampleRate, ...extra };
}

const cases = goldenCases('welch');

describe.each(cases)('welch %s equals scipy', (name) => {
  const g = readGolden<WelchGolden>('welch', name);
  const rows = loadSignal(g.signal).length;
  const n = Math.min(g.params.nperseg ?? 256, rows);
  const chunks = [...new Set([Math.max(1, n - 1), n, 3 * n + 5, 1 << 20, rows, 1237])];

  it('for every chunk size, within 1e-10 of scipy and 1e-12 of each other', async () => {
    let first: PsdResult | undefined;
    for (const chunkRows of chunks) {
      const report = await run({ source: source(g, chunkRows), sinks: [{ type: 'welch', ...g.params }] });
      const result = report.sinks[0].result as PsdResult;
      expect(result.frequencies).toEqual(g.frequencies);
      expect(maxRelativeError(result.psd, g.psd), `chunkRows ${chunkRows}`).toBeLessThan(1e-10);
      first ??= result;
      expect(maxRelativeError(result.psd, first.psd), `chunkRows ${chunkRows}`).toBeLessThan(1e-12);
    }
    if (g.psd_scipy_f32) {
      // scipy computes float32 input in float32; sluice in float64. Measured, not asserted tight.
      const err = maxRelativeError(first?.psd ?? [], g.psd_scipy_f32);
      expect(err).toBeLessThan(1e-4);
    }
  });
});

describe('psd after segment → detrend → window → fft', () => {
  const chains: [string, number, StageRef[], StageRef][] = [
    [
      'f32-default',
      256,
      [
        { type: 'segment', length: 256, hop: 128 },
        { type: 'detrend', method: 'constant' },
        { type: 'window', name: 'hann' },
        { type: 'fft', output: 'power' },
      ],
      { type: 'psd' },
    ],
    [
      'f64-1000-nfft1500-kaiser',
      1000,
      [
        { type: 'segment', length: 1000, overlap: 500 },
        { type: 'detrend' },
        { type: 'window', name: 'kaiser', beta: 8 },
        { type: 'fft', nfft: 1500 },
      ],
      { type: 'psd' },
    ],
    [
      'f64-301-tukey-median-linear',
      301,
      [
        { type: 'segment', length: 301, overlap: 100 },
        { type: 'detrend', method: 'linear' },
        { type: 'window', name: 'tukey', alpha: 0.3 },
        { type: 'fft' },
      ],
      { type: 'psd', average: 'median' },
    ],
  ];
  it.each(chains)('%s', async (name, n, steps, sink) => {
    const g = readGolden<WelchGolden>('welch', name);
    for (const chunkRows of [n - 1, 3 * n + 5, 1 << 20]) {
      const report = await run({ source: source(g, chunkRows), steps, sinks: [sink] });
      const result = report.sinks[0].result as PsdResult;
      expect(result.frequencies).toEqual(g.frequencies);
      expect(maxRelativeError(result.psd, g.psd)).toBeLessThan(1e-10);
    }
  });
});

describe('welch accumulator', () => {
  const g = readGolden<WelchGolden>('welch', 'f32-median');
  const x = loadSignal('f32');
  const p = welch.params.parse({ average: 'median' }) as WelchParams;
  const schema = {
    columns: [{ name: 'value', dtype: 'float32' as const, width: 1 }],
    sampleRate: 1000,
    origin: 0,
  };

  it('row-range shards merged give the one-pass PSD', () => {
    const bounds = [0, 3001, 3002, 11111, x.length];
    const shards = bounds.slice(1).map((end, i) => {
      const acc = new WelchAccumulator(p, schema);
      for (const b of chunkBatches({ value: x }, 777, { history: 255, startRow: bounds[i], endRow: end }))
        acc.add(b);
      return acc;
    });
    const merged = shards[0];
    for (const s of shards.slice(1)) merged.merge(s);
    expect(merged.result().segments).toBe(Math.floor((x.length - 256) / 128) + 1);
    expect(maxRelativeError(merged.result().psd, g.psd)).toBeLessThan(1e-10);
  });

  it('rejects noverlap ≥ nperseg and unknown windows with their path', () => {
    expect(welch.params.safeParse({ window: 'hanning' }).success).toBe(false);
    expect(() => welch.check?.(welch.params.parse({ nperseg: 64, noverlap: 64 }), schema)).toThrow(
      /noverlap/,
    );
    expect(() => welch.check?.(welch.params.parse({ window: { name: 'kaiser' } }), schema)).toThrow(/beta/);
    expect(() => welch.check?.(welch.params.parse({ column: 'nope' }), schema)).toThrow(/nope/);
  });

  it('writes .npy (2 × F), .json and .csv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-welch-'));
    const outs = ['psd.npy', 'psd.json', 'psd.csv'].map((f) => join(dir, f));
    const report = await run({
      source: source(readGolden<WelchGolden>('welch', 'f32-default'), 5000),
      sinks: outs.map((out) => ({ type: 'welch', out })),
    });
    const result = report.sinks[0].result as PsdResult;
    const bytes = readFileSync(outs[0]);
    const header = parseNpyHeader(new Uint8Array(bytes), outs[0]);
    expect(header.shape).toEqual([2, 129]);
    const values = new Float64Array(Uint8Array.from(bytes.subarray(header.dataOffset)).buffer);
    expect([...values.subarray(129)]).toEqual(result.psd);
    expect(JSON.parse(readFileSync(outs[1], 'utf8'))).toMatchObject({ psd: result.psd, segments: 155 });
    const csv = readFileSync(outs[2], 'utf8').trim().split('\n');
    expect(csv[0]).toBe('frequency,psd');
    expect(Number(csv[5].split(',')[1])).toBe(result.psd[4]);
  });
});
