/** rfftRows: numpy.fft.rfft of every segment row, as complex bins or power, magnitude, dB. */
import { describe, expect, it } from 'vitest';
import type { FftOutput } from '../../src/dsp/rfft-rows.ts';
import { rfftRows } from '../../src/dsp/rfft-rows.ts';
import { RealFft } from '../../src/dsp/real-fft.ts';
import { makeBatch } from '../support/batches.ts';

// rfft([1, 2, 3, 4]) = [10, -2+2j, -2]; rfft([1, 0, 0, 0]) = [1, 1, 1].
const segment = { data: Float64Array.from([1, 2, 3, 4, 1, 0, 0, 0]), width: 4 };
const t0 = Float64Array.from([0, 4]);
const schema = { columns: [] };

function run(output: FftOutput) {
  return rfftRows(makeBatch({ segment, t0 }), { column: 'segment', output }, new RealFft(4), schema);
}

function expectValues(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 12));
}

describe('rfftRows', () => {
  it('complex: re and im columns of nfft/2 + 1 bins, other columns kept', () => {
    const out = run('complex');
    expect(Object.keys(out.columns)).toEqual(['re', 'im', 't0']);
    expectValues(out.columns.re.data as Float64Array, [10, -2, -2, 1, 1, 1]);
    expectValues(out.columns.im.data as Float64Array, [0, 2, 0, 0, 0, 0]);
    expect(out.columns.t0.data).toBe(t0);
    expect(out.schema).toBe(schema);
  });

  it.each([
    ['power', [100, 8, 4, 1, 1, 1]],
    ['magnitude', [10, Math.sqrt(8), 2, 1, 1, 1]],
    ['db', [20, 10 * Math.log10(8), 10 * Math.log10(4), 0, 0, 0]],
  ] as const)('%s: one width-3 column spectrum', (output, expected) => {
    const out = run(output);
    expect(out.columns.spectrum.width).toBe(3);
    expectValues(out.columns.spectrum.data as Float64Array, [...expected]);
  });
});
