import { describe, expect, it } from 'vitest';
import { checkDafColumns, dafOutputs, dafShape } from '../../../src/formats/daf/writer.ts';

describe('daf writer', () => {
  it('writes <base>.array and <base>.yaml', () => {
    expect(dafOutputs('out/m')).toEqual(['out/m.array', 'out/m.yaml']);
  });

  it('is 1-D for one width-1 column, rows × summed widths otherwise', () => {
    expect(dafShape([{ name: 'a', dtype: 'float32', width: 1 }], 4)).toEqual([4]);
    expect(dafShape([{ name: 'a', dtype: 'float32', width: 3 }], 4)).toEqual([4, 3]);
    expect(
      dafShape(
        [
          { name: 'a', dtype: 'float32', width: 1 },
          { name: 'b', dtype: 'float32', width: 2 },
        ],
        4,
      ),
    ).toEqual([4, 3]);
  });

  it('refuses columns of several dtypes', () => {
    expect(() =>
      checkDafColumns([
        { name: 'a', dtype: 'float32', width: 1 },
        { name: 'b', dtype: 'float64', width: 1 },
      ]),
    ).toThrow(/several dtypes \(float32, float64\)/);
  });
});
