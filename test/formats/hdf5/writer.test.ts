import { describe, expect, it } from 'vitest';
import { HDF5_WRITE_DEFAULTS, checkHdf5Columns, isContiguous } from '../../../src/formats/hdf5/writer.ts';

describe('hdf5 writer', () => {
  it('auto storage is contiguous exactly when the rows are known and nothing is compressed', () => {
    const auto = HDF5_WRITE_DEFAULTS;
    expect(isContiguous(auto, 10)).toBe(true);
    expect(isContiguous(auto, undefined)).toBe(false);
    expect(isContiguous({ ...auto, compression: 'gzip' }, 10)).toBe(false);
    expect(isContiguous({ ...auto, storage: 'chunked' }, 10)).toBe(false);
    expect(isContiguous({ ...auto, storage: 'contiguous' }, 0)).toBe(true);
  });

  it('storage contiguous without a row count, or with gzip, is PARAMS_INVALID', () => {
    const contiguous = { ...HDF5_WRITE_DEFAULTS, storage: 'contiguous' as const };
    expect(() => isContiguous(contiguous, undefined)).toThrow(
      expect.objectContaining({ code: 'PARAMS_INVALID' }),
    );
    expect(() => isContiguous({ ...contiguous, compression: 'gzip' }, 10)).toThrow(/no compression/);
  });

  it('refuses names the layout cannot hold', () => {
    const columns = (...names: string[]) =>
      names.map((name) => ({ name, dtype: 'float64' as const, width: 1 }));
    // A '/' is escaped (`a%2Fb`): 'a' and 'a/b' are two datasets side by side, in either placement.
    expect(() => checkHdf5Columns(columns('a', 'a/b'), HDF5_WRITE_DEFAULTS)).not.toThrow();
    expect(() => checkHdf5Columns(columns('a', 'a/b'), { ...HDF5_WRITE_DEFAULTS, vaex: true })).not.toThrow();
    expect(() => checkHdf5Columns(columns('m/n (Da)'), { ...HDF5_WRITE_DEFAULTS, layout: 'pandas' })).toThrow(
      expect.objectContaining({ code: 'PARAMS_INVALID' }),
    );
    expect(() => checkHdf5Columns(columns('index'), { ...HDF5_WRITE_DEFAULTS, layout: 'pandas' })).toThrow(
      expect.objectContaining({ code: 'PARAMS_INVALID' }),
    );
  });
});
