import { describe, expect, it } from 'vitest';
import { linearTicks, logTicks, makeAxis, niceSpan } from '../../src/plot/axes.ts';

const values = (ticks: readonly { value: number; minor?: boolean }[]) =>
  ticks.filter((t) => !t.minor).map((t) => t.value);
const labels = (ticks: readonly { label: string; minor?: boolean }[]) =>
  ticks.filter((t) => !t.minor).map((t) => t.label);

describe('axes (d3-scale ticks)', () => {
  it('widens a range to round values and ticks it at 1, 2, 5 × 10^k', () => {
    expect(niceSpan([3, 97], false)).toEqual([0, 100]);
    expect(niceSpan([-83, -9], false)).toEqual([-100, 0]);
    expect(niceSpan([0.003, 0.7], true)).toEqual([0.001, 1]);
    expect(values(linearTicks([0, 1000]))).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(labels(linearTicks([0, 500_000]))).toEqual(['0', '100k', '200k', '300k', '400k', '500k']);
    expect(labels(linearTicks([-1, 1]))).toEqual(['-1.0', '-0.5', '0', '0.5', '1.0']);
  });

  it('labels decades on a log axis, with minor ticks at 2 … 9 when it spans few', () => {
    const ticks = logTicks([10, 1000]);
    expect(values(ticks)).toEqual([10, 100, 1000]);
    expect(labels(ticks)).toEqual(['10', '100', '1k']);
    expect(
      ticks
        .filter((t) => t.minor)
        .map((t) => t.value)
        .slice(0, 3),
    ).toEqual([20, 30, 40]);
    const wide = logTicks([1e-30, 1e5]);
    expect(wide.every((t) => !t.minor)).toBe(true);
    expect(wide.length).toBeLessThanOrEqual(10);
  });

  it('keeps an exact axis at its range, ticks inside, its end labelled', () => {
    // A Welch PSD at fs = 1 MHz: 0 … 500 kHz, the axis ends at Nyquist, not at the next round value.
    const linear = makeAxis([0, 512_000], false, 0, 700, true);
    expect(linear.span).toEqual([0, 512_000]);
    expect(values(linear.ticks)).toEqual([0, 100_000, 200_000, 300_000, 400_000, 500_000]);
    expect(linear.toPixel(512_000)).toBe(700);
    const log = makeAxis([244.140625, 500_000], true, 0, 700, true);
    expect(log.span).toEqual([244.140625, 500_000]);
    expect(log.toPixel(500_000)).toBe(700);
    expect(values(log.ticks)).toEqual([244.140625, 1000, 10_000, 100_000, 500_000]);
    expect(labels(log.ticks)).toEqual(['244', '1k', '10k', '100k', '500k']);
    // An end near a labelled tick is left unlabelled rather than overprinted.
    expect(values(makeAxis([0, 505_000], false, 0, 700, true).ticks).at(-1)).toBe(500_000);
    expect(labels(makeAxis([-19.99, 19.99], false, 0, 500, true).ticks)).toEqual([
      '-20',
      '-15',
      '-10',
      '-5',
      '0',
      '5',
      '10',
      '15',
      '20',
    ]);
  });
});
