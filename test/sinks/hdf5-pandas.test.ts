/**
 * The hdf5 sink's `layout: pandas` against a pandas-written file (test/fixtures/pandas, made by
 * make_pandas_fixtures.py with pandas 1.5.3 + PyTables 3.7): same groups, dataset dtype and
 * attributes, byte for byte where pandas reads them, read with h5wasm (no Python here).
 * Known differences, asserted as such: TITLE (an H5S_NULL string h5wasm cannot write) is absent;
 * UTF-8 string attributes are SPACEPAD (h5wasm's only UTF-8 string type) where PyTables writes
 * NULLTERM — no padding byte is ever present, the sizes are exact; the chunk size is ours.
 * Both writers are checked: through h5wasm (row count unknown) and sized before the run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkStage } from '../../src/core/stage.ts';
import { pandasFields } from '../../src/formats/hdf5/pandas-table.ts';
import { pickle0 } from '../../src/formats/hdf5/pickle0.ts';
import { registry } from '../../src/stages.ts';
import { chunkBatches, schemaOf } from '../support/batches.ts';
import type { Table } from '../support/batches.ts';
import { runSink } from '../support/run-sink.ts';
import { pandasFrame } from '../support/pandas-frame.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/pandas');
const dir = mkdtempSync(join(tmpdir(), 'sluice-pandas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await h5wasm.ready;
});

type H5File = InstanceType<typeof h5wasm.File>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

interface AttrDump {
  kind: string;
  hex?: string;
  value?: unknown;
  h5: { class: number; size: number; space: number; cset?: number; strpad?: number };
}
interface EntryDump {
  attrs: Record<string, AttrDump>;
  dtype?: [string, string, number][];
  shape?: number[];
  maxshape?: (number | null)[];
}
const structure = JSON.parse(readFileSync(join(FIXTURES, 'structure.json'), 'utf8')) as {
  files: Record<string, Record<string, EntryDump>>;
};

const sink = registry.get('hdf5', 'sink') as SinkStage;

/** numpy dtype strings (the fixture dump) as h5wasm's struct codes. */
const NUMPY_TO_H5WASM: Record<string, string> = {
  '<i8': '<q',
  '<f4': '<f',
  '<f8': '<d',
  '<i4': '<i',
  '|u1': '<B',
};

function withFile<T>(path: string, read: (f: H5File) => T): T {
  const f = new h5wasm.File(path, 'r');
  try {
    return read(f);
  } finally {
    f.close();
  }
}

/** Every attribute of `path` in the dump's terms: h5 class/size/cset/space, and the bytes. */
function attributesOf(f: H5File, path: string) {
  const obj = f.get(path) as H5Dataset;
  const out: Record<string, { class: number; size: number; cset?: number; scalar: boolean; value: string }> =
    {};
  for (const [name, attr] of Object.entries(obj.attrs)) {
    const m = attr.metadata;
    const value = attr.value;
    out[name] = {
      class: m.type,
      size: m.size,
      ...(m.type === 3 ? { cset: m.cset } : {}),
      scalar: (m.shape ?? []).length === 0,
      value: typeof value === 'string' ? value : String(value),
    };
  }
  return out;
}

function expected(entry: EntryDump) {
  const out: Record<string, { class: number; size: number; cset?: number; scalar: boolean; value: string }> =
    {};
  for (const [name, a] of Object.entries(entry.attrs)) {
    if (a.kind === 'Empty') continue; // TITLE: see the header
    out[name] = {
      class: a.h5.class,
      size: a.h5.size,
      ...(a.h5.class === 3 ? { cset: a.h5.cset } : {}),
      scalar: a.h5.space === 0,
      value: a.hex !== undefined ? Buffer.from(a.hex, 'hex').toString('latin1') : String(a.value),
    };
  }
  return out;
}

describe('hdf5 layout pandas', () => {
  // Row count unknown: appended through h5wasm; known: sized before the run (pandas-region.ts).
  it.each([
    ['through h5wasm', undefined],
    ['sized before the run', 10],
  ])('matches the pandas-written fixture: groups, attributes, table dtype, rows (%s)', async (how, rows) => {
    const table = pandasFrame();
    const path = join(dir, `fixture-like-${rows ?? 'unknown'}.h5`);
    // 4 new rows per batch with 2 of look-back: several appends, the last one short.
    await runSink(
      sink,
      { out: path, layout: 'pandas' },
      schemaOf(table),
      chunkBatches(table, 4, { history: 2 }),
      { rows },
    );
    const want = structure.files['table-data-columns.h5'];
    const ours = withFile(path, (f) => ({
      root: attributesOf(f, '/'),
      group: attributesOf(f, '/df'),
      table: attributesOf(f, '/df/table'),
      keys: (f.get('/df') as unknown as { keys(): string[] }).keys(),
      dataset: (() => {
        const ds = f.get('/df/table') as H5Dataset;
        const m = ds.metadata;
        return {
          members: m.compound_type?.members.map((x) => [x.name, x.offset, x.size]),
          size: m.size,
          shape: ds.shape,
          maxshape: m.maxshape,
          rows: ds.value as unknown[][],
        };
      })(),
    }));
    expect(ours.root).toEqual(expected(want['/']));
    expect(ours.group).toEqual(expected(want['/df']));
    expect(ours.table).toEqual(expected(want['/df/table']));
    expect(ours.keys).toEqual(['table']);

    const wantTable = want['/df/table'];
    const dtype = wantTable.dtype ?? [];
    expect(ours.dataset.members).toEqual(
      dtype.map(([name, str, offset]) => [name, offset, Number(str.replace(/\D/g, ''))]),
    );
    expect(ours.dataset.shape).toEqual(wantTable.shape);
    expect(ours.dataset.maxshape?.length).toBe(1);
    const theirs = withFile(join(FIXTURES, 'table-data-columns.h5'), (f) => {
      const ds = f.get('/df/table') as H5Dataset;
      expect(ds.dtype).toEqual(dtype.map(([name, str]) => [name, NUMPY_TO_H5WASM[str]]));
      return ds.value as unknown[][];
    });
    expect(ours.dataset.rows).toEqual(theirs);
  });

  it('1003 rows, width-k split into <name>_j, index 0…n−1, gzip', async () => {
    const rows = 1003;
    const a = new Float64Array(rows);
    const seg = new Int16Array(rows * 3);
    for (let i = 0; i < rows; i++) {
      a[i] = i === 5 ? NaN : i / 3;
      for (let j = 0; j < 3; j++) seg[i * 3 + j] = i * 3 + j - 1500;
    }
    const table: Table = { a, seg: { data: seg, width: 3 } };
    const path = join(dir, 'wide.h5');
    await runSink(
      sink,
      { out: path, layout: 'pandas', key: 'ions', compression: 'gzip', chunkRows: 100 },
      schemaOf(table),
      chunkBatches(table, 256, { history: 5 }),
      // The row count known: gzip still goes through h5wasm (the sized table is uncompressed).
      { rows },
    );
    withFile(path, (f) => {
      const ds = f.get('/ions/table') as H5Dataset;
      expect(ds.dtype).toEqual([
        ['index', '<q'],
        ['a', '<d'],
        ['seg_0', '<h'],
        ['seg_1', '<h'],
        ['seg_2', '<h'],
      ]);
      expect(ds.metadata.chunks).toEqual([100]);
      expect(ds.filters.map((x) => x.id)).toEqual([1]);
      const got = ds.value as [bigint, number, number, number, number][];
      expect(got).toHaveLength(rows);
      for (const i of [0, 5, 255, 256, 1002]) {
        expect(got[i][0]).toBe(BigInt(i));
        if (i === 5) expect(got[i][1]).toBeNaN();
        else expect(got[i][1]).toBe(a[i]);
        expect(got[i].slice(2)).toEqual([...seg.subarray(i * 3, i * 3 + 3)]);
      }
      expect(got.every((r, i) => r[0] === BigInt(i))).toBe(true);
      const attrs = (f.get('/ions/table') as H5Dataset).attrs;
      expect(Number(attrs.NROWS.value)).toBe(rows);
      expect(attrs['seg_1_dtype'].value).toBe('int16');
      expect((f.get('/ions') as H5Dataset).attrs.values_cols.value).toBe(
        pickle0(['a', 'seg_0', 'seg_1', 'seg_2']),
      );
    });
  });

  it('sized before the run: more or fewer rows than announced is ROWS_MISMATCH', async () => {
    const table = pandasFrame();
    for (const rows of [9, 11]) {
      const path = join(dir, `mismatch-${rows}.h5`);
      const run = runSink(sink, { out: path, layout: 'pandas' }, schemaOf(table), chunkBatches(table, 4), {
        rows,
      });
      await expect(run).rejects.toMatchObject({ code: 'ROWS_MISMATCH' });
      expect(existsSync(path)).toBe(false);
    }
  });

  it('refuses names pandas cannot take: index, a split name taken, a slash', () => {
    const col = (name: string, width = 1) => ({ name, dtype: 'float32' as const, width });
    expect(() => pandasFields([col('index')])).toThrow(/index/);
    expect(() => pandasFields([col('a', 2), col('a_1')])).toThrow(
      expect.objectContaining({ code: 'PARAMS_INVALID' }),
    );
    expect(() => pandasFields([col('a/b')])).toThrow(/a\/b/);
    expect(pandasFields([col('a', 2)]).map((f) => f.name)).toEqual(['a_0', 'a_1']);
  });

  it('pickle0: Python protocol-0 bytes (templates from the fixture), non-ASCII escaped', () => {
    const group = structure.files['table-data-columns.h5']['/df'].attrs;
    const bytes = (name: string) => Buffer.from(group[name].hex ?? '', 'hex').toString('latin1');
    expect(pickle0(['x (nm)', 'mc (Da)', 'pulse', 'det', 'u'])).toBe(bytes('values_cols'));
    expect(pickle0([{ tuple: [0, 'index'] }])).toBe(bytes('index_cols'));
    expect(pickle0(null)).toBe('N.');
    // pickle.loads(b'(lp0\nV\\u00b5m\\u005c\np1\na.') == ['µm\\']
    expect(pickle0(['µm\\'])).toBe('(lp0\nV\\u00b5m\\u005c\np1\na.');
  });
});
