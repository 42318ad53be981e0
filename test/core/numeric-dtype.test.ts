import { describe, expect, it } from 'vitest';
import { numericDType } from '../../src/core/numeric-dtype.ts';

describe('numericDType', () => {
  it.each([
    ['int', 1, 'int8'],
    ['int', 8, 'int64'],
    ['uint', 2, 'uint16'],
    ['uint', 4, 'uint32'],
    ['float', 4, 'float32'],
    ['float', 8, 'float64'],
  ] as const)('%s of %i bytes is %s', (kind, bytes, dtype) => {
    expect(numericDType(kind, bytes)).toBe(dtype);
  });

  it.each([
    ['float', 2],
    ['float', 1],
    ['int', 16],
    ['uint', 1.5],
    ['int', 0],
  ] as const)('%s of %s bytes has no dtype', (kind, bytes) => {
    expect(numericDType(kind, bytes)).toBeUndefined();
  });
});
