/**
 * Column names in the hdf5 writer's `layout: columns`: every column is one dataset directly
 * under the group, whatever its name holds. A '/' (an HDF5 group separator) is written `%2F`
 * and the exact name kept in the dataset's `name` attribute, so `m/n (Da)`, the most important
 * atom-probe column, survives a round trip through sluice's hdf5 source, in both storages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDatasetPaths, datasetPath, escapeDatasetName } from '../../src/formats/hdf5/datasets.ts';
import { run } from '../../src/pipeline/api.ts';
import hdf5 from '../../src/sinks/hdf5.ts';
import { makeBatch } from '../support/batches.ts';
import { runSink } from '../support/run-sink.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-h5names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hdf5 writer column names', () => {
  it.each([
    ['m/n (Da)', 'm%2Fn (Da)'],
    ['a/b/c', 'a%2Fb%2Fc'],
    ['100%/x', '100%25%2Fx'],
    ['x (nm)', 'x (nm)'],
  ])('escapes %j as one dataset name %j', (name, escaped) => {
    expect(escapeDatasetName(name)).toBe(escaped);
    expect(datasetPath({ group: 'df', vaex: false }, name)).toBe(`/df/${escaped}`);
    expect(datasetPath({ group: '/', vaex: true }, name)).toBe(`/table/columns/${escaped}/data`);
  });

  it("writes 'a' and 'a/b' side by side, which HDF5 paths could not hold unescaped", async () => {
    const batch = makeBatch({ a: new Float64Array([1, 2]), 'a/b': new Float64Array([3, 4]) });
    const p = hdf5.params.parse({ out: join(dir, 'x.h5') });
    expect(() => hdf5.check?.(p, batch.schema)).not.toThrow();
    expect(() => checkDatasetPaths(['/a/b', '/a'])).toThrow(
      expect.objectContaining({ code: 'PARAMS_INVALID' }),
    );
    expect(() => checkDatasetPaths(['/a/'])).toThrow(expect.objectContaining({ code: 'PARAMS_INVALID' }));
  });

  it.each(['chunked', 'contiguous'] as const)(
    "%s: m/n (Da) is one dataset at the group's level, named in its `name` attribute",
    async (storage) => {
      const b = makeBatch({ 'm/n (Da)': new Float64Array([1.5, 2.5]), 'x (nm)': new Float32Array([3, 4]) });
      const out = join(dir, `mn-${storage}.h5`);
      await runSink(hdf5, { out, group: 'df', storage }, b.schema, [b], { rows: 2 });
      await h5wasm.ready;
      const f = new h5wasm.File(out, 'r');
      try {
        const group = f.get('df') as InstanceType<typeof h5wasm.Group>;
        expect(group.keys().sort()).toEqual(['m%2Fn (Da)', 'x (nm)']);
        const mn = group.get('m%2Fn (Da)') as InstanceType<typeof h5wasm.Dataset>;
        expect(Array.from(mn.value as Float64Array)).toEqual([1.5, 2.5]);
        expect(mn.get_attribute('name', true)).toBe('m/n (Da)');
        expect(Object.keys((group.get('x (nm)') as InstanceType<typeof h5wasm.Dataset>).attrs)).not.toContain(
          'name',
        );
      } finally {
        f.close();
      }
    },
  );

  it('an EPOS file through hdf5 (columns) and back keeps m/n (Da) under its name', async () => {
    const out = join(dir, 'epos.h5');
    const first = await run({
      source: { type: 'epos', path: 'test/fixtures/epos/ions.epos' },
      sinks: [{ type: 'hdf5', out, group: 'df' }, { type: 'stats' }],
    });
    const back = await run({
      source: { type: 'hdf5', path: out, group: 'df' },
      sinks: [{ type: 'stats' }],
    });
    const columns = (r: typeof first) =>
      (r.sinks.at(-1)!.result as { columns: Record<string, unknown> }).columns;
    expect(Object.keys(columns(back)).sort()).toEqual(Object.keys(columns(first)).sort());
    expect(columns(back)['m/n (Da)']).toEqual(columns(first)['m/n (Da)']);
    const single = await run({
      source: { type: 'hdf5', path: out, dataset: '/df/m%2Fn (Da)' },
      sinks: [{ type: 'stats' }],
    });
    expect(Object.keys(columns(single))).toEqual(['m/n (Da)']);
  });
});
