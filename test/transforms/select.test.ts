import { describe, expect, it } from 'vitest';
import { chunkBatches } from '../support/batches.ts';
import { buildTransform, newValues } from './column-transforms.ts';

const table = {
  'm/n (Da)': new Float32Array([1, 2, 3, 4, 5]),
  'x (nm)': new Float32Array([5, 4, 3, 2, 1]),
  ipp: new Uint32Array([9, 8, 7, 6, 5]),
};
const [whole] = chunkBatches(table, 5);

describe('select', () => {
  it('keep orders, rename renames, arrays are shared', () => {
    const t = buildTransform('select', "keep: [ipp, 'm/n (Da)']\nrename: { 'm/n (Da)': mc }", whole.schema);
    expect(t.outSchema.columns.map((c) => c.name)).toEqual(['ipp', 'mc']);
    const out = t.run(whole)!;
    expect(Object.keys(out.columns)).toEqual(['ipp', 'mc']);
    expect(out.columns['mc'].data).toBe(whole.columns['m/n (Da)'].data);
  });

  it('drop keeps the others in order; history passes through', () => {
    const t = buildTransform('select', 'drop: [ipp]', whole.schema);
    const batches = chunkBatches(table, 2, { history: 1 }).map(t.run);
    expect(batches.map((b) => b!.history)).toEqual([0, 1, 1]);
    expect(newValues(batches, 'x (nm)')).toEqual([5, 4, 3, 2, 1]);
    expect(Object.keys(batches[0]!.columns)).toEqual(['m/n (Da)', 'x (nm)']);
  });

  it('refuses unknown columns, keep with drop, and clashing names', () => {
    expect(() => buildTransform('select', 'keep: [mz]', whole.schema)).toThrow(/no column 'mz'/);
    expect(() => buildTransform('select', 'keep: [ipp]\ndrop: [ipp]', whole.schema)).toThrow(/not both/);
    expect(() => buildTransform('select', "rename: { ipp: 'x (nm)' }", whole.schema)).toThrow(
      /two output columns/,
    );
  });
});
