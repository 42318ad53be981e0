/**
 * Column names the hdf5 writer (layout: columns) cannot place: a '/' in a name is an HDF5
 * group separator, so 'a' and 'a/b' need '/a' as both a dataset and a group. That is a
 * SluiceError before anything runs, and never a TypeError from h5wasm with its file left open.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDatasetPaths } from '../../src/formats/hdf5/datasets.ts';
import hdf5 from '../../src/sinks/hdf5.ts';
import { makeBatch } from '../support/batches.ts';
import { runSink, sinkContext } from '../support/run-sink.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-h5names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hdf5 writer column names', () => {
  const batch = makeBatch({ a: new Float64Array([1, 2]), 'a/b': new Float64Array([3, 4]) });

  it('check refuses a name that is also the group of another', () => {
    const p = hdf5.params.parse({ out: join(dir, 'x.h5') });
    expect(() => hdf5.check?.(p, batch.schema)).toThrow(expect.objectContaining({ code: 'PARAMS_INVALID' }));
    expect(() => checkDatasetPaths(['/a/b', '/a'])).toThrow(
      expect.objectContaining({ code: 'PARAMS_INVALID' }),
    );
    expect(() => checkDatasetPaths(['/a/'])).toThrow(expect.objectContaining({ code: 'PARAMS_INVALID' }));
    expect(() => checkDatasetPaths(['/m/n (Da)', '/x (nm)'])).not.toThrow();
  });

  it('create without check fails as a SluiceError and leaves no file', async () => {
    for (const names of [
      ['a', 'a/b'],
      ['a/b', 'a'],
    ]) {
      const sub = mkdtempSync(join(dir, 'c-'));
      const b = makeBatch(Object.fromEntries(names.map((n) => [n, new Float64Array([1, 2])])));
      const p = hdf5.params.parse({ out: join(sub, 'x.h5') });
      await expect(hdf5.create(p, sinkContext(b.schema))).rejects.toMatchObject({ code: 'PARAMS_INVALID' });
      expect(readdirSync(sub)).toEqual([]);
    }
  });

  it("a name with '/' alone is still written, as nested groups (h5py reads f['m/n (Da)'])", async () => {
    const b = makeBatch({ 'm/n (Da)': new Float64Array([1.5, 2.5]) });
    const out = join(dir, 'mn.h5');
    await runSink(hdf5, { out }, b.schema, [b]);
    await h5wasm.ready;
    const f = new h5wasm.File(out, 'r');
    try {
      expect(
        Array.from((f.get('m/n (Da)') as InstanceType<typeof h5wasm.Dataset>).value as Float64Array),
      ).toEqual([1.5, 2.5]);
    } finally {
      f.close();
    }
  });
});
