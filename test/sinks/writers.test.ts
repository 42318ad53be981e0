/**
 * Every writer round-tripped through an independent reader: apache-arrow for IPC, hyparquet
 * (and parquet-wasm for zstd/gzip, which hyparquet cannot decompress) for Parquet, h5wasm for
 * HDF5, the npy source for NPY and DAF, text for CSV. Row counts that are not multiples of the
 * batch size, batches with look-back (only new rows are written), every dtype.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import h5wasm from 'h5wasm/node';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import * as pw from 'parquet-wasm/node';
import { afterAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../src/core/batch.ts';
import type { TypedArray } from '../../src/core/dtype.ts';
import type { SinkStage, SourceStage } from '../../src/core/stage.ts';
import { registry } from '../../src/stages.ts';
import { chunkBatches, schemaOf } from '../support/batches.ts';
import type { Table } from '../support/batches.ts';
import { runSink } from '../support/run-sink.ts';
import { makeWriterTable as makeTable } from '../support/writer-table.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-writers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 1003;
const table = makeTable(ROWS);
const schema = schemaOf(table);

function sink(name: string): SinkStage {
  return registry.get(name, 'sink') as SinkStage;
}

/** The table cut into batches of 256 new rows with 5 rows of look-back each. */
function batchesOf(t: Table = table): Batch[] {
  return chunkBatches(t, 256, { history: 5 });
}

function plain(a: TypedArray | ArrayLike<unknown>): unknown[] {
  return Array.from(a as ArrayLike<unknown>);
}

describe('npy writer', () => {
  const npySource = registry.get('npy', 'source') as SourceStage;
  async function readBack(path: string) {
    const src = await npySource.create(npySource.params.parse({ path }), {
      signal: new AbortController().signal,
      log: () => {},
    });
    const out: Record<string, unknown[]> = {};
    for await (const b of src.batches({ overlap: 0 })) {
      for (const [name, col] of Object.entries(b.columns)) (out[name] ??= []).push(...plain(col.data));
    }
    await src.close();
    return { out, schema: src.schema, rows: src.rows };
  }

  it('one column: a plain array, the shape written at the end', async () => {
    const path = join(dir, 'one.npy');
    await runSink(sink('npy'), { out: path, columns: ['f32'] }, schema, batchesOf());
    const back = await readBack(path);
    expect(back.rows).toBe(ROWS);
    expect(back.out.value).toEqual(plain(table.f32));
  });

  it('a width-k column: a 2-D array', async () => {
    const path = join(dir, 'seg.npy');
    await runSink(sink('npy'), { out: path, columns: ['seg'] }, schema, batchesOf());
    const back = await readBack(path);
    expect(back.schema.columns.map((c) => c.name)).toEqual(['c0', 'c1', 'c2']);
    expect(back.out.c1).toEqual(plain(table.seg.data).filter((_, i) => i % 3 === 1));
  });

  it('several columns: a structured array with every dtype exact', async () => {
    const path = join(dir, 'all.npy');
    await runSink(sink('npy'), { out: path }, schema, batchesOf());
    const back = await readBack(path);
    expect(back.schema.columns.map((c) => [c.name, c.dtype, c.width])).toEqual(
      schema.columns.map((c) => [c.name, c.dtype, c.width]),
    );
    expect(back.out.i64).toEqual(plain(table.i64));
    expect(back.out.f64).toEqual(plain(table.f64));
    expect(back.out.seg).toEqual(plain(table.seg.data));
    expect(back.out.u8).toEqual(plain(table.u8));
  });

  it('matches the bytes numpy writes for the same array (committed fixture)', async () => {
    // test/fixtures/writers/make_writer_fixtures.py: np.save of np.arange(1003, dtype='<f4') * 0.5
    const path = join(dir, 'arange.npy');
    const data = new Float32Array(ROWS).map((_, i) => i * 0.5);
    await runSink(sink('npy'), { out: path }, schemaOf({ value: data }), chunkBatches({ value: data }, 100));
    expect(readFileSync(path)).toEqual(readFileSync('test/fixtures/writers/arange-f4.npy'));
  });

  it('an empty stream gives a valid empty array', async () => {
    const path = join(dir, 'empty.npy');
    await runSink(sink('npy'), { out: path, columns: ['f32'] }, schema, []);
    expect((await readBack(path)).rows).toBe(0);
  });
});

describe('arrow writer', () => {
  it.each(['t.arrow', 't.arrows'])(
    '%s reads back with apache-arrow: values, types, FixedSizeList',
    async (name) => {
      const path = join(dir, name);
      await runSink(
        sink('arrow'),
        { out: path },
        { ...schema, sampleRate: 1000, source: 'x.npy' },
        batchesOf(),
      );
      const t = tableFromIPC(readFileSync(path));
      expect(t.numRows).toBe(ROWS);
      expect(t.schema.fields.map((f) => String(f.type))).toEqual([
        'Float32',
        'Int32',
        'Int64',
        'Uint8',
        'Float64',
        'FixedSizeList[3]<Float32>',
      ]);
      expect(t.schema.metadata.get('sampleRate')).toBe('1000');
      expect(plain(t.getChild('i64')!.toArray() as BigInt64Array)).toEqual(plain(table.i64));
      expect(plain(t.getChild('f32')!.toArray() as Float32Array)).toEqual(plain(table.f32));
      const seg = t
        .getChild('seg')!
        .data.flatMap((d) => plain(d.children[0].values.subarray(0, d.length * 3)));
      expect(seg).toEqual(plain(table.seg.data));
    },
  );

  it('columns: chooses and orders', async () => {
    const path = join(dir, 'sel.arrow');
    await runSink(sink('arrow'), { out: path, columns: ['u8', 'f32'] }, schema, batchesOf());
    expect(tableFromIPC(readFileSync(path)).schema.fields.map((f) => f.name)).toEqual(['u8', 'f32']);
  });
});

describe('parquet writer', () => {
  it('reads back with hyparquet (snappy): values, physical and logical types, row groups', async () => {
    const path = join(dir, 't.parquet');
    await runSink(
      sink('parquet'),
      { out: path, compression: 'snappy', rowGroupRows: 400 },
      schema,
      batchesOf(),
    );
    const buf = readFileSync(path);
    const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const meta = parquetMetadata(file);
    expect(Number(meta.num_rows)).toBe(ROWS);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([400, 400, 203]);
    const leaf = (n: string) => meta.schema.find((s) => s.name === n)!;
    expect(leaf('f32').type).toBe('FLOAT');
    expect(leaf('i64').type).toBe('INT64');
    expect(leaf('u8').logical_type).toEqual({ type: 'INTEGER', bitWidth: 8, isSigned: false });
    expect(meta.row_groups[0].columns[0].meta_data?.statistics?.min_value).toBeDefined();
    const rows = await parquetReadObjects({ file });
    expect(rows.map((r) => r.f32)).toEqual(plain(table.f32));
    expect(rows.map((r) => r.i64)).toEqual(plain(table.i64));
    expect(rows.map((r) => r.u8)).toEqual(plain(table.u8));
    expect(rows[2].seg).toEqual([2, 2.25, 2.5]);
  });

  it.each(['zstd', 'gzip', 'none'])('%s reads back (parquet-wasm reader)', async (compression) => {
    const path = join(dir, `t-${compression}.parquet`);
    await runSink(sink('parquet'), { out: path, compression }, schema, batchesOf());
    const wasmTable = pw.readParquet(readFileSync(path));
    const t = tableFromIPC(wasmTable.intoIPCStream());
    expect(t.numRows).toBe(ROWS);
    expect(plain(t.getChild('f64')!.toArray() as Float64Array)).toEqual(plain(table.f64));
  });

  it('an empty stream gives a valid file with the schema', async () => {
    const path = join(dir, 'empty.parquet');
    await runSink(sink('parquet'), { out: path, compression: 'snappy' }, schema, []);
    const buf = readFileSync(path);
    const meta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    expect(Number(meta.num_rows)).toBe(0);
  });
});

describe('hdf5 writer', () => {
  it.each([
    [{}, '/f32', '/seg'],
    [{ group: 'raw/signals', compression: 'gzip' }, '/raw/signals/f32', '/raw/signals/seg'],
    [{ vaex: true }, '/table/columns/f32/data', '/table/columns/seg/data'],
  ])('%j reads back with h5wasm', async (extra, f32Path, segPath) => {
    const path = join(dir, `t-${Object.keys(extra).join('-')}.h5`);
    await runSink(sink('hdf5'), { out: path, chunkRows: 100, ...extra }, schema, batchesOf());
    await h5wasm.ready;
    const f = new h5wasm.File(path, 'r');
    try {
      const ds = f.get(f32Path) as InstanceType<typeof h5wasm.Dataset>;
      expect(ds.shape).toEqual([ROWS]);
      expect(plain(ds.value as Float32Array)).toEqual(plain(table.f32));
      const seg = f.get(segPath) as InstanceType<typeof h5wasm.Dataset>;
      expect(seg.shape).toEqual([ROWS, 3]);
      expect(plain(seg.value as Float32Array)).toEqual(plain(table.seg.data));
      const i64 = f.get(f32Path.replace('f32', 'i64')) as InstanceType<typeof h5wasm.Dataset>;
      expect(plain(i64.value as BigInt64Array)).toEqual(plain(table.i64));
    } finally {
      f.close();
    }
  });
});

describe('csv writer', () => {
  it('header, shortest round-trip numbers, int64 exact, width-k expanded', async () => {
    const path = join(dir, 't.csv');
    await runSink(sink('csv'), { out: path }, schema, batchesOf());
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('f32,i32,i64,u8,f64,seg_0,seg_1,seg_2');
    expect(lines).toHaveLength(ROWS + 1);
    const cells = lines.slice(1).map((l) => l.split(','));
    expect(cells.map((c) => Math.fround(Number(c[0])))).toEqual(plain(table.f32));
    expect(cells.map((c) => BigInt(c[2]))).toEqual(plain(table.i64));
    expect(cells[5][4]).toBe('nan');
    expect(cells[1][4]).toBe('0.1');
    expect(cells[1][0]).toBe(String(Number(Math.fround(Math.sin(1) * 1000.1).toPrecision(7))));
  });
});

describe('daf writer and source', () => {
  const dafSource = registry.get('daf', 'source') as SourceStage;
  it('writes .array + .yaml that the daf source reads back (2-D, vector and columns)', async () => {
    const base = join(dir, 'm');
    const t = { a: table.f32, seg: table.seg };
    await runSink(sink('daf'), { out: base }, schemaOf(t), batchesOf(t));
    expect(readFileSync(`${base}.yaml`, 'utf8')).toBe(
      `version: [1, 0]\ndtype: float32\nshape: [${ROWS}, 4]\n`,
    );
    const src = await dafSource.create(dafSource.params.parse({ path: `${base}.yaml`, chunkRows: 300 }), {
      signal: new AbortController().signal,
      log: () => {},
    });
    const c3: number[] = [];
    for await (const b of src.batches({ overlap: 2 }))
      c3.push(...(plain(b.columns.c3.data.subarray(b.history)) as number[]));
    await src.close();
    expect(c3).toEqual(plain(table.seg.data).filter((_, i) => i % 3 === 2));
  });

  it('refuses columns of several dtypes before writing', async () => {
    await expect(runSink(sink('daf'), { out: join(dir, 'bad') }, schema, batchesOf())).rejects.toMatchObject({
      code: 'PARAMS_INVALID',
    });
    expect(existsSync(join(dir, 'bad.array'))).toBe(false);
  });

  it('reads a sparse CSR matrix densely (committed scipy fixture)', async () => {
    // test/fixtures/writers/make_writer_fixtures.py: a 7×5 CSR matrix and its dense form
    const base = 'test/fixtures/writers/csr';
    const dense = JSON.parse(readFileSync(`${base}.dense.json`, 'utf8')) as number[][];
    const src = await dafSource.create(
      dafSource.params.parse({ path: base, chunkRows: 3, matrix: 'vector' }),
      {
        signal: new AbortController().signal,
        log: () => {},
      },
    );
    const rows: number[][] = [];
    for await (const b of src.batches({ overlap: 1 })) {
      const v = b.columns.value;
      for (let r = b.history; r < b.rows; r++)
        rows.push(plain(v.data.subarray(r * 5, r * 5 + 5)) as number[]);
    }
    await src.close();
    expect(rows).toEqual(dense);
  });
});

describe('every writer', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['npy', { out: 'x.npy' }],
    ['csv', { out: 'x.csv' }],
    ['arrow', { out: 'x.arrow' }],
    ['parquet', { out: 'x.parquet' }],
    ['hdf5', { out: 'x.h5' }],
    ['daf', { out: 'x', columns: ['f32'] }],
  ];

  it.each(cases)('%s: defaults parse, unknown columns are refused with their name', (name, p) => {
    const stage = sink(name);
    const params = stage.params.parse(p) as Record<string, unknown>;
    expect(() => stage.check?.({ ...params, columns: ['nope'] }, schema)).toThrow(/nope/);
    expect(stage.params.safeParse({ ...p, bogus: 1 }).success).toBe(false);
  });

  it.each(cases)('%s: an existing output is OUTPUT_EXISTS unless overwrite', async (name, p) => {
    const sub = mkdtempSync(join(dir, `exists-${name}-`));
    const out = join(sub, String(p.out));
    const params = { ...p, out };
    await runSink(sink(name), params, schema, batchesOf());
    await expect(runSink(sink(name), params, schema, batchesOf())).rejects.toMatchObject({
      code: 'OUTPUT_EXISTS',
    });
    await runSink(sink(name), params, schema, batchesOf(), { overwrite: true });
  });

  it.each(cases)('%s: a run failing mid-write leaves no file under the final name', async (name, p) => {
    const sub = mkdtempSync(join(dir, `fail-${name}-`));
    const out = join(sub, String(p.out));
    const stage = sink(name);
    const params = stage.params.parse({ ...p, out });
    const instance = await stage.create(params, {
      schema,
      signal: new AbortController().signal,
      log: () => {},
      overwrite: false,
    });
    const batches = batchesOf();
    await instance.write(batches[0]);
    await instance.write(batches[1]);
    await instance.abort();
    expect(readdirSync(sub)).toEqual([]);
  });
});

describe('writeTable (accumulator results through writers)', () => {
  it.each(['psd.parquet', 'psd.npy', 'psd.csv', 'psd.arrow', 'psd.h5'])('%s', async (name) => {
    const { writeTable } = await import('../../src/formats/write-table.ts');
    const path = join(dir, name);
    const frequency = new Float64Array([0, 0.5, 1, 1.5]);
    const power = new Float64Array([1e-3, 2e-3, 0.25, 4]);
    await writeTable(path, { frequency, power }, { schema: { units: { frequency: 'Hz' } } });
    expect(existsSync(path)).toBe(true);
    if (name.endsWith('.csv'))
      expect(readFileSync(path, 'utf8')).toBe('frequency,power\n0.0,0.001\n0.5,0.002\n1.0,0.25\n1.5,4.0\n');
    if (name.endsWith('.arrow'))
      expect(tableFromIPC(readFileSync(path)).getChild('power')!.toArray()).toEqual(power);
    await expect(writeTable(path, { frequency, power })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
  });

  it('an unknown extension is FORMAT_UNKNOWN', async () => {
    const { writeTable } = await import('../../src/formats/write-table.ts');
    await expect(writeTable(join(dir, 'x.xlsx'), { a: new Float64Array(1) })).rejects.toMatchObject({
      code: 'FORMAT_UNKNOWN',
    });
  });
});
