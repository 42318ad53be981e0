/**
 * The HDF5 listing (`sluice inspect file.h5`) against what h5py sees of the same files:
 * listing.h5 and listing-golden.json (test/fixtures/hdf5/make_listing_fixture.py: pandas fixed and
 * table formats, attributes, compact/contiguous/chunked storage with filters, a named type,
 * soft, dangling, external and hard links), the offsets of hdf5-offsets.json, pandas' tables and
 * PyCCAPT's layout; corrupt files give typed errors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../../src/core/errors.ts';
import type { Hdf5Entry } from '../../../src/formats/hdf5/listing.ts';
import { listHdf5 } from '../../../src/formats/hdf5/listing.ts';

const FIXTURES = 'test/fixtures/hdf5';
interface GoldenObject {
  kind: string;
  attrs: string[];
  shape?: number[];
  dtype?: string;
  layout?: string;
  chunks?: number[] | null;
  offset?: number | null;
  compression?: string | null;
  compression_opts?: number | null;
  shuffle?: boolean;
}
const golden = JSON.parse(readFileSync(`${FIXTURES}/listing-golden.json`, 'utf8')) as {
  objects: Record<string, GoldenObject>;
  links: Record<string, { kind: string; target: string }>;
  pandas: Record<string, { columns: string[]; rows: number }>;
};
const dir = mkdtempSync(join(tmpdir(), 'sluice-listing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** numpy's dtype.str as the listing names it. */
function expectedType(path: string, numpy: string): string {
  if (numpy === 'compound') return 'compound';
  if (numpy === '|O') return 'str (utf-8)';
  if (path.endsWith('/state')) return 'enum {off, on}';
  const [, order, kind, size] = /^([<>|])([a-zA-Z])(\d+)$/.exec(numpy) ?? [];
  const bits = Number(size) * 8;
  const name = { f: `float${bits}`, i: `int${bits}`, u: `uint${bits}`, S: `S${size}` }[kind] ?? numpy;
  return `${order === '>' ? '>' : ''}${name}`;
}

function byPath(entries: readonly Hdf5Entry[]): Map<string, Hdf5Entry> {
  return new Map(entries.map((e) => [e.path, e]));
}

describe('HDF5 listing', () => {
  it('lists every object as h5py sees it: kind, shape, type, storage, filters, attributes', async () => {
    const listing = await listHdf5(`${FIXTURES}/listing.h5`);
    const entries = byPath(listing.entries);
    for (const [path, want] of Object.entries(golden.objects)) {
      const got = entries.get(path);
      expect(got, path).toBeDefined();
      expect(got?.kind, path).toBe(want.kind);
      expect(Object.keys(got?.attributes ?? {}).sort(), path).toEqual(want.attrs);
      if (want.kind !== 'dataset') continue;
      expect(got?.shape, path).toEqual(want.shape);
      const type = expectedType(path, want.dtype ?? '');
      if (type === 'compound') expect(got?.dtype, path).toMatch(/^compound \{index: int64, /);
      else expect(got?.dtype, path).toBe(type);
      expect(got?.layout, path).toBe(want.layout);
      expect(got?.chunks ?? null, path).toEqual(want.chunks);
      expect(got?.offset ?? null, path).toBe(want.offset);
      const filters = [
        ...(want.shuffle ? ['shuffle'] : []),
        ...(want.compression === 'gzip' ? [`deflate(${want.compression_opts})`] : []),
      ];
      expect(got?.filters ?? [], path).toEqual(filters);
    }
    expect(entries.get('/kind_t')?.dtype).toBe('compound {p: float64, q: int32}');
    expect(entries.get('/data/matrix')?.maxshape).toEqual([null, 3]);
    expect(entries.get('/data')?.attributes).toEqual({
      gain: 2.5,
      raw: 'abc',
      shape: [3, 4],
      title: 'run 7',
    });
    expect(entries.get('/data/matrix')?.attributes).toEqual({ unit: 'mV' });
  });

  it('shows links with their targets and lists a hard-linked object once', async () => {
    const listing = await listHdf5(`${FIXTURES}/listing.h5`);
    const entries = byPath(listing.entries);
    for (const [path, link] of Object.entries(golden.links)) {
      expect(entries.get(path), path).toMatchObject({ kind: `${link.kind}-link`, target: link.target });
    }
    expect(entries.get('/data/back')).toMatchObject({ kind: 'hard-link', target: 'group /' });
    expect(listing.entries.filter((e) => e.path.startsWith('/data/back/'))).toEqual([]);
    expect(listing.truncated).toBe(false);
  });

  it('recognises pandas tables in fixed and table format with their columns and rows', async () => {
    const listing = await listHdf5(`${FIXTURES}/listing.h5`);
    const tables = Object.fromEntries(
      listing.pandasTables.map((t) => [t.key, { columns: t.columns, rows: t.rows }]),
    );
    expect(tables).toEqual(golden.pandas);
    for (const [file, type] of [
      ['table-blocks.h5', 'frame_table'],
      ['table-data-columns.h5', 'frame_table'],
    ]) {
      const pandas = await listHdf5(`test/fixtures/pandas/${file}`);
      expect(pandas.pandasTables).toEqual([
        { key: '/df', pandasType: type, columns: ['x (nm)', 'mc (Da)', 'pulse', 'det', 'u'], rows: 10 },
      ]);
    }
  });

  it('recognises PyCCAPT raw files and gives the offsets h5py gives', async () => {
    const offsets = JSON.parse(readFileSync(`${FIXTURES}/hdf5-offsets.json`, 'utf8')) as Record<
      string,
      number | null
    >;
    const pyccapt = await listHdf5(`${FIXTURES}/pyccapt.h5`);
    expect(pyccapt.layouts).toEqual([
      {
        layout: 'pyccapt-raw',
        group: '/dld',
        rows: 1500,
        columns: {
          '/dld/x': 'x_det (cm)',
          '/dld/y': 'y_det (cm)',
          '/dld/t': 't (ns)',
          '/dld/high_voltage': 'high_voltage (V)',
          '/dld/pulse': 'pulse_v (V)',
          '/dld/laser_pulse': 'pulse_l (pJ)',
          '/dld/start_counter': 'start_counter',
        },
      },
    ]);
    for (const file of ['contiguous.h5', 'pyccapt.h5']) {
      const entries = byPath((await listHdf5(`${FIXTURES}/${file}`)).entries);
      for (const [key, offset] of Object.entries(offsets)) {
        const [name, dataset] = key.split(':');
        if (name !== file || offset === null) continue;
        expect(entries.get(dataset)?.offset, key).toBe(offset);
      }
    }
    expect((await listHdf5(`${FIXTURES}/contiguous.h5`)).layouts).toEqual([]);
  });

  it('gives a typed error for truncated and corrupt files, never a crash', async () => {
    const bytes = readFileSync(`${FIXTURES}/listing.h5`);
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['magic only', bytes.subarray(0, 8)],
      ['cut superblock', bytes.subarray(0, 60)],
      ['cut file', bytes.subarray(0, 2000)],
    ];
    for (let at = 96; at < 2048; at += 97) {
      const bad = Uint8Array.from(bytes);
      bad.fill(0xff, at, at + 8);
      cases.push([`0xff×8 at ${at}`, bad]);
    }
    for (const [name, data] of cases) {
      const file = join(dir, 'bad.h5');
      writeFileSync(file, data);
      const outcome = await listHdf5(file).then(
        () => 'listed',
        (error: unknown) => (error instanceof SluiceError ? 'typed' : `untyped: ${String(error)}`),
      );
      expect(['listed', 'typed'], name).toContain(outcome);
    }
  });
});
