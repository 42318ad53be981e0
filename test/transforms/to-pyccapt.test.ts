import { describe, expect, it } from 'vitest';
import { PYCCAPT_COLUMNS, convertColumn } from '../../src/atomprobe/pyccapt-columns.ts';
import { chunkBatches, makeBatch } from '../support/batches.ts';
import { loadAtomProbeGolden } from './atom-probe-golden.ts';
import { buildTransform, newValues } from './column-transforms.ts';

describe('to-pyccapt transform', () => {
  const g = loadAtomProbeGolden('to-pyccapt', 'epos');

  it.each([1, 100, 5003, 6000])(
    'gives PyCCAPT’s 15 columns exactly as numpy (chunks of %i rows)',
    (chunk) => {
      const batches = chunkBatches(g.inputs, chunk, { history: 3 });
      const t = buildTransform('to-pyccapt', '{}', batches[0].schema);
      const out = batches.map(t.run);
      expect(t.outSchema.columns.map((c) => [c.name, c.dtype])).toEqual(
        Object.entries(g.outputs).map(([name, data]) => [
          name,
          data instanceof Float32Array ? 'float32' : 'int32',
        ]),
      );
      for (const [name, data] of Object.entries(g.outputs)) {
        expect(out[0]?.columns[name].data.constructor).toBe(data.constructor);
        expect(newValues(out, name)).toEqual(Array.from(data as ArrayLike<number>));
      }
    },
  );

  it('lists the columns in PyCCAPT’s order', () => {
    expect(PYCCAPT_COLUMNS.map((c) => c.name)).toEqual(Object.keys(g.outputs));
  });

  it('names a missing EPOS column', () => {
    expect(() =>
      buildTransform('to-pyccapt', '{}', makeBatch({ 'x (nm)': new Float32Array(1) }).schema),
    ).toThrow(expect.objectContaining({ code: 'COLUMN_UNKNOWN' }));
  });
});

describe('convertColumn to int32', () => {
  it('keeps the low 32 bits of int64 values, as numpy astype does, also past 2^53', () => {
    const big = 2n ** 60n + 5n;
    const out = convertColumn(new BigInt64Array([big, -1n, 2n ** 32n + 7n]), 'int32');
    expect(Array.from(out as Int32Array)).toEqual([5, -1, 7]);
  });
});
