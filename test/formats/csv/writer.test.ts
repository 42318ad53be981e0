import { describe, expect, it } from 'vitest';
import { csvHeader, formatNumber, formatRows } from '../../../src/formats/csv/writer.ts';

describe('csv writer', () => {
  it('formats numbers in the shortest form that reads back in their dtype', () => {
    expect(formatNumber(0.1, 'float64')).toBe('0.1');
    expect(formatNumber(Math.fround(0.1), 'float32')).toBe('0.1');
    expect(formatNumber(Math.fround(1 / 3), 'float32')).toBe('0.33333334');
    expect([NaN, Infinity, -Infinity].map((x) => formatNumber(x, 'float64'))).toEqual(['nan', 'inf', '-inf']);
  });

  it('keeps a float column float: whole numbers get .0 (pandas.read_csv then reads float64, not int64)', () => {
    expect(formatNumber(1000, 'float32')).toBe('1000.0');
    expect(formatNumber(1000, 'float64')).toBe('1000.0');
    expect(formatNumber(-3, 'float64')).toBe('-3.0');
    expect(formatNumber(0, 'float32')).toBe('0.0');
    expect(formatNumber(1e21, 'float64')).toBe('1e+21');
    expect(formatNumber(1e-7, 'float64')).toBe('1e-7');
    expect(formatNumber(Math.fround(16777216), 'float32')).toBe('16777216.0');
    // Integer columns stay integers.
    expect(formatNumber(1000, 'int32')).toBe('1000');
    expect(formatNumber(1000, 'uint16')).toBe('1000');
  });

  it('names a width-k column name_0 … name_(k-1)', () => {
    expect(
      csvHeader([
        { name: 't', dtype: 'float64', width: 1 },
        { name: 'seg', dtype: 'float32', width: 3 },
      ]),
    ).toEqual(['t', 'seg_0', 'seg_1', 'seg_2']);
  });

  it('writes rows [from, to), int64 exactly', () => {
    const chunks = [
      {
        column: { name: 'i', dtype: 'int64' as const, width: 1 },
        data: new BigInt64Array([1n, 2n ** 62n + 1n]),
      },
      {
        column: { name: 'v', dtype: 'float64' as const, width: 2 },
        data: new Float64Array([0.5, 1, 2.5, 3]),
      },
    ];
    expect(formatRows(chunks, 0, 2, ';')).toBe('1;0.5;1.0\n4611686018427387905;2.5;3.0\n');
    expect(formatRows(chunks, 1, 1, ',')).toBe('');
  });
});
