import { describe, expect, it } from 'vitest';
import { formatNpyHeader } from '../../../src/formats/npy/header.ts';
import { npyHeaderFields } from '../../../src/formats/npy/writer.ts';

describe('npy writer header', () => {
  it('one column is a plain array; width k makes it (rows, k)', () => {
    expect(npyHeaderFields([{ name: 'x', dtype: 'float32', width: 1 }], 5)).toEqual({
      descr: '<f4',
      fortranOrder: false,
      shape: [5],
    });
    expect(npyHeaderFields([{ name: 'x', dtype: 'int16', width: 3 }], 5).shape).toEqual([5, 3]);
  });

  it('several columns are a structured array, width-k fields as sub-arrays', () => {
    const fields = npyHeaderFields(
      [
        { name: 'a', dtype: 'float32', width: 1 },
        { name: 'seg', dtype: 'float64', width: 4 },
      ],
      7,
    );
    const header = new TextDecoder().decode(formatNpyHeader(fields));
    expect(header).toContain("'descr': [('a', '<f4'), ('seg', '<f8', (4,))]");
    expect(header).toContain("'shape': (7,)");
  });
});
