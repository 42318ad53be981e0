/**
 * Spectral parameters too large for the input or the machine are refused before anything big is
 * allocated (issue 11: `welch: { nperseg: 1000000000 }` on 8,192 samples took 15.7 GB and 59 s
 * before failing inside fft.js). An nperseg longer than a known input is shortened to it, as
 * scipy does, without allocating nperseg; past 2^25 points, or beyond the memory, PARAMS_INVALID.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PsdResult } from '../../src/dsp/psd-accumulator.ts';
import {
  checkSegmentParams,
  checkSpectrumMemory,
  fftPoints,
  MAX_FFT_POINTS,
  spectrumBytes,
} from '../../src/dsp/segments.ts';
import { BLOCK_VALUES, SpectrogramSlicer } from '../../src/dsp/spectrogram-slices.ts';
import type { SpectrumAverageResult } from '../../src/dsp/spectrum-average-accumulator.ts';
import { SpectrumAverageAccumulator } from '../../src/dsp/spectrum-average-accumulator.ts';
import { run } from '../../src/pipeline/api.ts';
import type { PipelineDefinition, StageRef } from '../../src/pipeline/api.ts';
import { makeBatch } from '../support/batches.ts';

const SIGNAL = 'test/fixtures/npy/spectral-f64.npy'; // 9000 float64 samples
const ROWS = 9000;
const source = { type: 'npy', path: SIGNAL, chunkRows: 1000, sampleRate: 1e3 };
/** A step that may drop rows: the sinks then do not know the row count before the run. */
const unknownRows = { type: 'filter', where: [{ column: 'value', min: -1e300 }] };

/** Runs `definition`, expecting a SluiceError; returns it with the time and memory taken. */
async function refusal(definition: PipelineDefinition) {
  const before = process.memoryUsage();
  const started = performance.now();
  const error = await run(definition).then(
    () => undefined,
    (e: unknown) => e,
  );
  const after = process.memoryUsage();
  return {
    error: error as { name: string; code: string; message: string; hint?: string },
    seconds: (performance.now() - started) / 1000,
    grewBytes: after.arrayBuffers - before.arrayBuffers + (after.heapUsed - before.heapUsed),
  };
}

async function sinkResult<R>(sink: StageRef, steps: StageRef[] = []): Promise<R> {
  const report = await run({ source, steps, sinks: [sink] });
  return report.sinks[0].result as R;
}

describe.each([
  ['welch nperseg 1e9', { type: 'welch', nperseg: 1e9 }, /nperseg 1000000000 is beyond the largest FFT/],
  ['welch nfft 1e9', { type: 'welch', nperseg: 256, nfft: 1e9 }, /nfft 1000000000 is beyond/],
  ['welch nfft 2^25 + 1', { type: 'welch', nperseg: 256, nfft: 2 ** 25 + 1 }, /nfft 33554433/],
  ['spectrogram nperseg 1e9', { type: 'spectrogram', nperseg: 1e9 }, /nperseg 1000000000 is beyond/],
  ['spectrogram nfft 2^31', { type: 'spectrogram', nperseg: 64, nfft: 2 ** 31 }, /nfft 2147483648/],
  ['spectrum-average nfft 1e9', { type: 'spectrum-average', chunkSize: 256, nfft: 1e9 }, /nfft 1000000000/],
])('%s', (_, sink, message) => {
  it.each([
    ['rows known', []],
    ['rows unknown', [unknownRows]],
  ])('is PARAMS_INVALID before any big allocation (%s)', async (__, steps) => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-limits-'));
    const out = join(dir, 'out.npy');
    const withOut = sink.type === 'spectrogram' ? { ...sink, out } : sink;
    const r = await refusal({ source, steps: steps as StageRef[], sinks: [withOut] });
    expect(r.error.name).toBe('SluiceError');
    expect(r.error.code).toBe('PARAMS_INVALID');
    expect(r.error.message).toMatch(message);
    expect(r.error.hint).toMatch(/nperseg|chunkSize/);
    expect(r.seconds).toBeLessThan(30);
    expect(r.grewBytes).toBeLessThan(64 * 2 ** 20);
    expect(existsSync(out)).toBe(false);
  });
});

describe('an nperseg longer than a known input is shortened to it, as scipy, without allocating it', () => {
  it('welch', async () => {
    const started = performance.now();
    const long = await sinkResult<PsdResult>({ type: 'welch', nperseg: 2 ** 25 });
    expect((performance.now() - started) / 1000).toBeLessThan(2);
    expect(long).toEqual(await sinkResult<PsdResult>({ type: 'welch', nperseg: ROWS }));
    expect(long.nperseg).toBe(ROWS);
  });

  it('spectrogram', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-limits-'));
    const [a, b] = [join(dir, 'a.npy'), join(dir, 'b.npy')];
    const long = await sinkResult<{ shape: number[] }>({ type: 'spectrogram', nperseg: 2 ** 25, out: a });
    const exact = await sinkResult<{ shape: number[] }>({ type: 'spectrogram', nperseg: ROWS, out: b });
    expect(long).toEqual({ ...exact, out: a });
  });

  it('an explicit noverlap not below the input length is refused at create, as scipy refuses it', async () => {
    const r = await refusal({ source, sinks: [{ type: 'welch', nperseg: 2 ** 20, noverlap: ROWS }] });
    expect(r.error.code).toBe('PARAMS_INVALID');
    expect(r.error.message).toMatch(/noverlap 9000 is not less than nperseg 9000/);
  });
});

describe('spectrum-average', () => {
  it('a chunkSize longer than the signal allocates only the signal (TraceKit single FFT)', async () => {
    const started = performance.now();
    const huge = await sinkResult<SpectrumAverageResult>({ type: 'spectrum-average', chunkSize: 1e9 });
    const unknown = await sinkResult<SpectrumAverageResult>({ type: 'spectrum-average', chunkSize: 1e9 }, [
      unknownRows,
    ]);
    expect((performance.now() - started) / 1000).toBeLessThan(3);
    const exact = await sinkResult<SpectrumAverageResult>({ type: 'spectrum-average', chunkSize: ROWS });
    expect(huge).toEqual(exact);
    expect(unknown).toEqual(exact);
    expect(exact.segments).toBe(1);
  });

  it('checks the segments path for an input longer than chunkSize', () => {
    const schema = { columns: [{ name: 'value', dtype: 'float64' as const, width: 1 }] };
    const acc = new SpectrumAverageAccumulator(
      { column: 'value', chunkSize: 2 ** 26, overlap: 50, window: 'hann' },
      schema,
    );
    expect(() => acc.checkInput(1000)).not.toThrow();
    expect(() => acc.checkInput(2 ** 27)).toThrow(/chunkSize 67108864 is beyond the largest FFT/);
  });
});

describe('segment → fft', () => {
  it('a segment longer than the largest FFT is refused when the plan is prepared', async () => {
    const r = await refusal({
      source,
      steps: [{ type: 'segment', length: 1e9 }, { type: 'fft' }],
      sinks: [{ type: 'stats' }],
    });
    expect(r.error.code).toBe('PARAMS_INVALID');
    expect(r.error.message).toMatch(/segments of 1000000000 samples/);
    expect(r.seconds).toBeLessThan(30);
  });

  it('an explicit nfft beyond the largest FFT is refused when the plan is prepared', async () => {
    for (const nfft of [1e9, 2 ** 25 + 1]) {
      const r = await refusal({
        source,
        steps: [
          { type: 'segment', length: 256 },
          { type: 'fft', nfft },
        ],
        sinks: [{ type: 'stats' }],
      });
      expect(r.error.name).toBe('SluiceError');
      expect(r.error.code).toBe('PARAMS_INVALID');
      expect(r.error.message).toMatch(new RegExp(`fft: nfft ${nfft} is beyond the largest FFT`));
      expect(r.grewBytes).toBeLessThan(64 * 2 ** 20);
    }
  });
});

describe('the limits', () => {
  it('fftPoints is nfft for powers of two, Bluestein’s power of two ≥ 2·nfft − 1 otherwise', () => {
    expect([1, 2, 3, 4, 5, 1000, 1024, 2 ** 25].map(fftPoints)).toEqual([
      2,
      2,
      8,
      4,
      16,
      2048,
      1024,
      2 ** 25,
    ]);
  });

  it('checkSegmentParams caps nperseg and the FFT at MAX_FFT_POINTS', () => {
    expect(() => checkSegmentParams(MAX_FFT_POINTS, 0, MAX_FFT_POINTS, 'welch')).not.toThrow();
    expect(() => checkSegmentParams(MAX_FFT_POINTS + 1, 0, MAX_FFT_POINTS + 1, 'welch')).toThrow(
      /nperseg 33554433/,
    );
    expect(() => checkSegmentParams(8, 0, MAX_FFT_POINTS / 2 + 1, 'welch')).toThrow(/nfft 16777217/);
  });

  it('spectrumBytes grows with nperseg and nfft', () => {
    const small = spectrumBytes(256, 256);
    expect(small.total).toBeLessThan(2 ** 20);
    expect(spectrumBytes(2 ** 24, 2 ** 24).heap).toBeGreaterThan(300 * 2 ** 20);
    expect(spectrumBytes(1000, 3000).total).toBeGreaterThan(spectrumBytes(1000, 4096).total);
  });

  it('refuses what the V8 heap cannot hold (a child with a 256 MB heap), before allocating', () => {
    const script = [
      "import { checkSpectrumMemory } from './src/dsp/segments.ts';",
      'try { checkSpectrumMemory(2 ** 24, 2 ** 24, "welch"); console.log("allowed"); }',
      'catch (e) { console.log(e.code, e.message); }',
      'checkSpectrumMemory(4096, 4096, "welch"); console.log("small allowed");',
    ].join('\n');
    const out = execFileSync(
      process.execPath,
      ['--max-old-space-size=256', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(out).toMatch(
      /^PARAMS_INVALID welch: nperseg 16777216 with nfft 16777216 needs about \d+ MiB of JS heap/,
    );
    expect(out).toMatch(/small allowed/);
  });

  it('allows what fits', () => {
    expect(() => checkSpectrumMemory(2 ** 16, 2 ** 16, 'welch')).not.toThrow();
  });
});

describe('spectrogram blocks', () => {
  it('split a batch of many long slices into blocks of at most BLOCK_VALUES values, same values', () => {
    const value = Float64Array.from({ length: 600 }, (_, i) => Math.sin(i / 3));
    const schema = { columns: [{ name: 'value', dtype: 'float64' as const, width: 1 }] };
    const config = {
      column: 'value',
      nperseg: 8,
      noverlap: 0,
      nfft: 2 ** 18, // 131,073 bins: 63 slices a block
      detrend: 'constant' as const,
      scaling: 'density' as const,
      window: 'hann' as const,
      mode: 'psd' as const,
      db: false,
      fft: 'float64' as const,
    };
    const batch = makeBatch({ value });
    const whole = new SpectrogramSlicer(config, schema).add(batch)!;
    const blocks = [...new SpectrogramSlicer(config, schema).blocks(batch)];
    expect(blocks.length).toBeGreaterThan(1);
    for (const b of blocks) expect(b.block.length).toBeLessThanOrEqual(BLOCK_VALUES);
    expect(blocks.reduce((n, b) => n + b.count, 0)).toBe(whole.count);
    const joined = new Float64Array(whole.block.length);
    let at = 0;
    for (const b of blocks) {
      joined.set(b.block, at);
      at += b.block.length;
    }
    expect(at).toBe(whole.block.length);
    expect(joined.every((v, i) => Object.is(v, whole.block[i]))).toBe(true);
  });
});
