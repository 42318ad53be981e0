/** The spectrogram's slices: values per mode, times, any chunk size, and scipy's short-input case. */
import { describe, expect, it } from 'vitest';
import { SegmentSpectrum } from '../../src/dsp/segment-spectrum.ts';
import type { SliceBlock, SpectrogramConfig } from '../../src/dsp/spectrogram-slices.ts';
import { sliceValues, SpectrogramSlicer } from '../../src/dsp/spectrogram-slices.ts';
import { chunkBatches } from '../support/batches.ts';

// 1 + cos(2πn/8): rfft(8) is 8 at DC and ±4 at bin 1. With a boxcar and scaling spectrum
// (1/(Σw)² = 1/64) the one-sided power is 1 at DC and 2·16/64 = 0.5 at bin 1.
const wave = (n: number, from = 0) =>
  Float64Array.from({ length: n }, (_, i) => 1 + Math.cos((Math.PI * (i + from)) / 4));
const config: SpectrogramConfig = {
  column: 'value',
  nperseg: 8,
  noverlap: 4,
  detrend: 'none',
  scaling: 'spectrum',
  window: 'boxcar',
  mode: 'psd',
  db: false,
  fft: 'float64',
};

function expectValues(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 12));
}

describe('sliceValues', () => {
  const spectrum = new SegmentSpectrum(new Float64Array(8).fill(1), 8, 'none');
  spectrum.transformAt(wave(8), 0);
  const out = (mode: SpectrogramConfig['mode'], db: boolean) => {
    const values = new Float64Array(mode === 'complex' ? 10 : 5);
    sliceValues(spectrum, mode, db, 1 / 64, values);
    return values;
  };

  it.each([
    ['psd', false, [1, 0.5, 0, 0, 0]],
    ['magnitude', false, [1, 0.5, 0, 0, 0]],
    ['complex', false, [1, 0, 0.5, 0, 0, 0, 0, 0, 0, 0]],
  ] as const)('%s', (mode, db, expected) => expectValues(out(mode, db), [...expected]));

  it('dB: 10·log10 of power, 20·log10 of magnitude', () => {
    expectValues(out('psd', true).subarray(0, 2), [0, 10 * Math.log10(0.5)]);
    expectValues(out('magnitude', true).subarray(0, 2), [0, 20 * Math.log10(0.5)]);
  });
});

describe('SpectrogramSlicer', () => {
  const schema = { columns: [{ name: 'value', dtype: 'float64' as const, width: 1 }], sampleRate: 2 };

  it.each([1, 5, 16])('gives the same slices and times for chunks of %i rows', (chunk) => {
    const slicer = new SpectrogramSlicer(config, schema);
    const blocks: SliceBlock[] = [];
    for (const b of chunkBatches({ value: wave(16) }, chunk, { history: 7 })) {
      const block = slicer.add(b);
      if (block) blocks.push(block);
    }
    expect(blocks.flatMap((b) => [...b.times])).toEqual([2, 4, 6]);
    expect(blocks.flatMap((b) => Array.from({ length: b.count }, (_, i) => b.first + i))).toEqual([0, 1, 2]);
    const values = blocks.flatMap((b) => [...b.block]);
    expectValues(values, [1, 0.5, 0, 0, 0, 1, 0.5, 0, 0, 0, 1, 0.5, 0, 0, 0]);
    expect(slicer.times).toEqual({ first: 2, step: 2, count: 3 });
    expect(slicer.shortInputSlice()).toBeUndefined();
    slicer.dispose();
  });

  it('analyses an input shorter than nperseg with nperseg = its length, as scipy', () => {
    const slicer = new SpectrogramSlicer({ ...config, nperseg: 16, noverlap: undefined }, schema);
    for (const b of chunkBatches({ value: Float64Array.from([1, 2, 3, 4, 5]) }, 2, { history: 15 }))
      expect(slicer.add(b)).toBeUndefined();
    const short = slicer.shortInputSlice()!;
    expect([slicer.nperseg, slicer.nfft, slicer.bins, slicer.slices]).toEqual([5, 5, 3, 1]);
    // Boxcar of 5, no detrend: DC is 15² / 5² = 9.
    expect(short.block[0]).toBeCloseTo(9, 12);
    expect([...short.times]).toEqual([1.25]);
    expect(slicer.times).toEqual({ first: 1.25, step: 2.5, count: 1 });
    slicer.dispose();
  });
});
