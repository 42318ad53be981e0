import type { Dataset, File as H5File, Metadata } from 'h5wasm/node';
import { describe, expect, it } from 'vitest';
import type { Hdf5Selection } from '../../../src/formats/hdf5/find-datasets.ts';
import { baseName, describeDataset, findDatasets } from '../../../src/formats/hdf5/find-datasets.ts';

function meta(fields: Partial<Metadata>): Metadata {
  return {
    type: 1,
    size: 4,
    signed: false,
    littleEndian: true,
    vlen: false,
    shape: [10],
    ...fields,
  } as Metadata;
}

/** Stand-ins for h5wasm's Dataset and Group: findDatasets only tests instanceof and reads these. */
class FakeDataset {
  constructor(
    readonly path: string,
    readonly metadata: Metadata,
  ) {}
}
class FakeGroup {
  constructor(private readonly names: string[]) {}
  keys(): string[] {
    return this.names;
  }
}

const entities: Record<string, unknown> = {
  '/dld': new FakeGroup(['x', 'y', 't', 'pulse', 'image']),
  '/dld/x': new FakeDataset('/dld/x', meta({})),
  '/dld/y': new FakeDataset('/dld/y', meta({})),
  '/dld/t': new FakeDataset('/dld/t', meta({ type: 1, size: 8 })),
  '/dld/pulse': new FakeDataset('/dld/pulse', meta({})),
  '/dld/image': new FakeDataset('/dld/image', meta({ shape: [10, 3] })),
};
const h5 = { keys: () => ['dld'] } as unknown as H5File;

function find(selection: Omit<Hdf5Selection, 'path'>): string[][] {
  return findDatasets(
    h5,
    { path: 'f.h5', ...selection },
    (name) => entities[name.replace(/(.)\/$/, '$1')],
    FakeDataset as unknown as typeof Dataset,
    FakeGroup,
  ).map(({ name, dataset }) => [name, dataset.path]);
}

describe('findDatasets', () => {
  it('names one dataset after its last path component', () => {
    expect(find({ dataset: '/dld/t' })).toEqual([['t', '/dld/t']]);
  });

  it('takes the 1-D datasets of a group, in key order', () => {
    expect(find({ group: '/dld/' })).toEqual([
      ['x', '/dld/x'],
      ['y', '/dld/y'],
      ['t', '/dld/t'],
      ['pulse', '/dld/pulse'],
    ]);
  });

  it("names PyCCAPT's /dld datasets as PyCCAPT does, skipping those absent", () => {
    expect(find({ layout: 'pyccapt-raw' })).toEqual([
      ['x_det (cm)', '/dld/x'],
      ['y_det (cm)', '/dld/y'],
      ['t (ns)', '/dld/t'],
      ['pulse_v (V)', '/dld/pulse'],
    ]);
  });

  it('refuses a missing dataset, naming the top level', () => {
    expect(() => find({ dataset: '/nope' })).toThrow(
      expect.objectContaining({ code: 'COLUMN_UNKNOWN', hint: 'Top level: dld.' }),
    );
  });
});

describe('baseName', () => {
  it.each([
    ['/dld/t', 't'],
    ['t', 't'],
    ['/a/b/', 'b'],
  ])('%s → %s', (path, name) => expect(baseName(path)).toBe(name));
});

describe('describeDataset', () => {
  it.each([
    [meta({ type: 0, size: 2, signed: true }), 'int16', 1, 10],
    [meta({ type: 0, size: 8, signed: false, shape: [5, 3] }), 'uint64', 3, 5],
    [meta({ type: 1, size: 8, shape: [7] }), 'float64', 1, 7],
  ])('%# reads as %s, width %i, %i rows', (m, dtype, width, rows) => {
    expect(describeDataset('/d', m, 'f.h5')).toEqual({ dtype, width, rows });
  });

  it.each([
    [meta({ type: 1, size: 2 }), 'dataset /d is float of 16 bits'],
    [meta({ type: 3, size: 4 }), 'dataset /d is of HDF5 type class 3 (not integer or float)'],
    [meta({ shape: [] }), 'dataset /d is a scalar'],
    [meta({ shape: [2, 2, 2] }), 'dataset /d is 3-D'],
    [meta({ shape: [2, 0] }), 'dataset /d is (n, 0)-shaped'],
  ])('%# is refused: %s', (m, message) => {
    expect(() => describeDataset('/d', m, 'f.h5')).toThrow(
      expect.objectContaining({ code: 'FORMAT_UNSUPPORTED', message: `f.h5: ${message}` }),
    );
  });
});
