/**
 * The hdf5 sink's contiguous storage: datasets sized from the known row count by patching the
 * empty datasets h5wasm created (src/formats/hdf5/allocate.ts), then written at their offsets. Read
 * back by HDF5 itself (h5wasm) and located by our layout reader; compared with chunked output.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TypedArray } from '../../src/core/dtype.ts';
import type { SinkStage } from '../../src/core/stage.ts';
import {
  objectAddress,
  readAtHandle,
  readDatasetStorage,
  readSuperblock,
} from '../../src/formats/hdf5/layout.ts';
import { run } from '../../src/pipeline/api.ts';
import { registry } from '../../src/stages.ts';
import { writeEpos } from '../../scripts/sample-epos.ts';
import { chunkBatches, schemaOf } from '../support/batches.ts';
import { openSink, runSink } from '../support/run-sink.ts';
import { makeWriterTable } from '../support/writer-table.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-h5c-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => h5wasm.ready);

const hdf5 = registry.get('hdf5', 'sink') as SinkStage;
const ROWS = 1003;

const table = makeWriterTable(ROWS);
const schema = {
  ...schemaOf(table),
  columns: schemaOf(table).columns.map((c) => (c.name === 'f32' ? { ...c, unit: 'mV' } : c)),
  sampleRate: 250,
  source: 'made-up.npy',
};
const batches = chunkBatches(table, 256, { history: 5 });

type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

/** Every dataset under `group` as plain arrays, with its shape and storage. */
async function readBack(path: string, group = '/') {
  const f = new h5wasm.File(path, 'r');
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const readAt = readAtHandle(handle);
    const sb = await readSuperblock(readAt, size, path);
    const out: Record<
      string,
      { values: unknown[]; shape: number[]; storage: string; offset: number; unit: unknown }
    > = {};
    const g = f.get(group) as InstanceType<typeof h5wasm.Group>;
    for (const name of g.keys()) {
      const ds = g.get(name) as H5Dataset;
      const storage = await readDatasetStorage(
        readAt,
        size,
        sb,
        objectAddress(ds.create_reference().ref_data),
        path,
      );
      out[name] = {
        values: Array.from(ds.value as ArrayLike<unknown>),
        shape: ds.shape ?? [],
        storage: storage.kind === 'contiguous' ? 'contiguous' : storage.reason,
        offset: storage.kind === 'contiguous' ? storage.offset : -1,
        unit: ds.attrs.unit?.value,
      };
    }
    return {
      datasets: out,
      attrs: Object.fromEntries(Object.entries(g.attrs).map(([k, a]) => [k, a.value])),
    };
  } finally {
    await handle.close();
    f.close();
  }
}

const plain = (a: TypedArray) => Array.from(a as ArrayLike<unknown>);

describe('hdf5 contiguous storage', () => {
  it('writes every column at its offset; HDF5 reads the values, shapes, units and attributes back', async () => {
    const path = join(dir, 'c.h5');
    await runSink(hdf5, { out: path, group: 'df' }, schema, batches, { rows: ROWS });
    const { datasets, attrs } = await readBack(path, '/df');
    expect(Object.keys(datasets).sort()).toEqual(['f32', 'f64', 'i32', 'i64', 'seg', 'u8']);
    for (const d of Object.values(datasets)) {
      expect(d.storage).toBe('contiguous');
      expect(d.offset % 4096).toBe(0);
    }
    expect(datasets.f32.values).toEqual(plain(table.f32));
    expect(datasets.f32.unit).toBe('mV');
    expect(datasets.i64.values).toEqual(plain(table.i64));
    expect(datasets.u8.values).toEqual(plain(table.u8));
    expect(datasets.f64.values).toEqual(plain(table.f64));
    expect(datasets.seg.shape).toEqual([ROWS, 3]);
    expect(datasets.seg.values).toEqual(plain(table.seg.data));
    expect(attrs).toEqual({ sampleRate: 250, source: 'made-up.npy' });
    expect(readdirSync(dir).filter((n) => n.includes('sluice-tmp'))).toEqual([]);
  });

  it('holds the same data as chunked storage', async () => {
    const a = join(dir, 'same-c.h5');
    const b = join(dir, 'same-k.h5');
    await runSink(hdf5, { out: a, vaex: true }, schema, batches, { rows: ROWS });
    await runSink(hdf5, { out: b, vaex: true, storage: 'chunked', chunkRows: 100 }, schema, batches, {
      rows: ROWS,
    });
    for (const name of ['f32', 'i64', 'seg']) {
      const [c, k] = [
        await readBack(a, `/table/columns/${name}`),
        await readBack(b, `/table/columns/${name}`),
      ];
      expect(c.datasets.data.storage).toBe('contiguous');
      expect(k.datasets.data.storage).toBe('chunked');
      expect(c.datasets.data.values).toEqual(k.datasets.data.values);
    }
  });

  it('writes zero rows as empty datasets', async () => {
    const path = join(dir, 'empty.h5');
    await runSink(hdf5, { out: path }, schema, [], { rows: 0 });
    const { datasets } = await readBack(path);
    expect(datasets.f32.shape).toEqual([0]);
    expect(datasets.seg.shape).toEqual([0, 3]);
  });

  it('auto is chunked when the row count is unknown or gzip is asked for', async () => {
    const unknown = join(dir, 'auto-unknown.h5');
    await runSink(hdf5, { out: unknown }, schema, batches);
    expect((await readBack(unknown)).datasets.f32.storage).toBe('chunked');
    const gzip = join(dir, 'auto-gzip.h5');
    await runSink(hdf5, { out: gzip, compression: 'gzip' }, schema, batches, { rows: ROWS });
    expect((await readBack(gzip)).datasets.f32.storage).toBe('filters');
  });

  it.each([
    [{ storage: 'contiguous' }, undefined],
    [{ storage: 'contiguous', compression: 'gzip' }, ROWS],
  ])('%j refuses when it cannot be contiguous (rows %s)', async (extra, rows) => {
    const path = join(dir, 'refused.h5');
    await expect(openSink(hdf5, { out: path, ...extra }, schema, batches, { rows })).rejects.toMatchObject({
      code: 'PARAMS_INVALID',
    });
    expect(readdirSync(dir).filter((n) => n.startsWith('refused') || n.includes('sluice-tmp'))).toEqual([]);
  });

  it.each([
    ['fewer', ROWS + 1],
    ['more', ROWS - 1],
  ])('%s rows than sized for: ROWS_MISMATCH and no output', async (_, rows) => {
    const path = join(dir, `mismatch-${rows}.h5`);
    await expect(runSink(hdf5, { out: path }, schema, batches, { rows })).rejects.toMatchObject({
      code: 'ROWS_MISMATCH',
    });
    expect(readdirSync(dir).filter((n) => n.startsWith('mismatch') || n.includes('sluice-tmp'))).toEqual([]);
  });
});

describe('hdf5 contiguous storage in a pipeline', () => {
  const epos = join(dir, 'run.epos');
  beforeAll(() => writeEpos(epos, 70_001));

  async function correct(out: string, extra: object, steps: { type: string; [key: string]: unknown }[] = []) {
    await run({
      source: { type: 'epos', path: epos, chunkRows: 4096 },
      steps: [{ type: 'to-pyccapt' }, ...steps, { type: 'reflectron', preset: '4000XHR_Erlangen_56_4833' }],
      sinks: [{ type: 'hdf5', out, layout: 'columns', group: 'df', ...extra }],
    });
    return (await readBack(out, '/df')).datasets;
  }

  it('EPOS → to-pyccapt → reflectron is contiguous and equals the chunked file', async () => {
    const c = await correct(join(dir, 'p-c.h5'), {});
    const k = await correct(join(dir, 'p-k.h5'), { storage: 'chunked' });
    expect(Object.keys(c)).toHaveLength(15);
    for (const name of Object.keys(k)) {
      expect(c[name].storage).toBe('contiguous');
      expect(c[name].shape).toEqual([70_001]);
      expect(c[name].values).toEqual(k[name].values);
    }
    expect(c['x_det (cm)'].unit).toBe('cm');
  });

  it('a filter step makes the row count unknown, so auto is chunked', async () => {
    const f = await correct(join(dir, 'p-f.h5'), {}, [
      { type: 'filter', where: [{ column: 'mc (Da)', min: 20, max: 30 }] },
    ]);
    expect(f['mc (Da)'].storage).toBe('chunked');
    expect(f['mc (Da)'].values.every((v) => (v as number) >= 20 && (v as number) <= 30)).toBe(true);
  });
});
