/**
 * The byte writers give exactly the text of `formatNumber` (the definition): float32 values
 * of every exponent and mantissa (random bit patterns, fixed seed), the edges (powers of two,
 * subnormals, decimal carries, 1e±21 layout), float64 and integers.
 */
import { describe, expect, it } from 'vitest';
import {
  formatNumber,
  TextBytes,
  writeFloat32,
  writeFloat64,
  writeInteger,
} from '../../../src/formats/csv/number-text.ts';

function written(write: (out: TextBytes) => void): string {
  const out = new TextBytes();
  out.reserve(64);
  write(out);
  return Buffer.from(out.bytes.subarray(0, out.length)).toString('latin1');
}

/** Float32 values from random bit patterns (every exponent, NaN and infinities included). */
function randomFloat32(count: number, seed: number): Float32Array {
  const words = new Uint32Array(count);
  for (let i = 0; i < count; i++) words[i] = seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return new Float32Array(words.buffer);
}

describe('writeFloat32', () => {
  it('writes formatNumber’s text for 30k random float32 bit patterns', () => {
    const values = randomFloat32(30_000, 12345);
    const differing: string[] = [];
    for (const x of values) {
      const text = written((out) => writeFloat32(out, x));
      if (text !== formatNumber(x, 'float32'))
        differing.push(`${x}: ${text} vs ${formatNumber(x, 'float32')}`);
    }
    expect(differing.slice(0, 5)).toEqual([]);
  });

  it('writes formatNumber’s text for data-like values and the edges', () => {
    const values: number[] = [0, -0, 1, -1, 0.1, 1 / 3, 1000, 16777216, 1e-7, 1e21, 3.4e38, 1e-45, 2 ** -149];
    for (let e = -130; e <= 128; e++) values.push(2 ** e, -(2 ** e), 2 ** e * 1.5);
    for (let e = -40; e <= 39; e++)
      values.push(10 ** e, 9.999999 * 10 ** e, 5 * 10 ** e, 1.0000001 * 10 ** e);
    let seed = 99;
    const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
    for (let i = 0; i < 25_000; i++)
      values.push((rnd() - 0.5) * 10 ** ((i % 13) - 4), Math.round(rnd() * 1e6) / 100);
    const differing = values
      .map((v) => Math.fround(v))
      .filter((x) => written((out) => writeFloat32(out, x)) !== formatNumber(x, 'float32'));
    expect(differing).toEqual([]);
  });
});

describe('writeFloat64 and writeInteger', () => {
  it('write formatNumber’s text', () => {
    const values = [
      0,
      -0,
      1,
      -3,
      1000,
      0.1,
      1 / 3,
      1e21,
      1e-7,
      123456789012345680000,
      NaN,
      Infinity,
      -Infinity,
    ];
    for (const x of values) expect(written((out) => writeFloat64(out, x))).toBe(formatNumber(x, 'float64'));
    expect(written((out) => writeInteger(out, -42))).toBe('-42');
    expect(written((out) => writeInteger(out, 2n ** 63n - 1n))).toBe('9223372036854775807');
  });
});
