import { copyFile, mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../../src/core/batch.ts';
import { detectSource } from '../../src/pipeline/inspect.ts';
import { registry } from '../../src/stages.ts';
import { EPOS_FORMULAS, expected, formulas } from './atom-probe-formulas.ts';
import { BACKENDS, expectSluiceError, fixture, openSource, readAll, stageNamed } from './source-harness.ts';

/** Checks every row of every batch (history and new) of `column` against its formula. */
function expectRows(batches: readonly Batch[], column: string, formula: (i: number) => number): void {
  for (const b of batches) {
    const actual = Array.from(b.columns[column].data as Iterable<number | bigint>, Number);
    const want = expected(formula, b.start, b.start + b.rows);
    if (actual.join() !== want.join()) expect(actual, `${column} @ ${b.start}`).toEqual(want);
  }
}

function expectTiling(batches: readonly Batch[], rows: number, chunkRows: number, overlap: number): void {
  expect(batches.length).toBe(Math.ceil(rows / chunkRows));
  batches.forEach((b, k) => {
    const newStart = k * chunkRows;
    expect({ start: b.start, history: b.history }).toEqual({
      start: Math.max(0, newStart - overlap),
      history: Math.min(overlap, newStart),
    });
  });
}

const CHUNKS = [1, 43, 1000, 1 << 20];

describe.each(BACKENDS)('epos / pos (io: %s)', (io) => {
  it.each(CHUNKS)('epos, chunkRows %i: every column exact', async (chunkRows) => {
    const overlap = 3;
    const batches = await readAll(
      await openSource('epos', { path: fixture('epos/ions.epos'), io, chunkRows }),
      {
        overlap,
      },
    );
    expectTiling(batches, 3001, chunkRows, overlap);
    expect(Object.keys(batches[0].columns)).toEqual(Object.keys(EPOS_FORMULAS));
    expect(batches[0].columns['ipp'].data).toBeInstanceOf(Uint32Array);
    expect(batches[0].columns['x (nm)'].data).toBeInstanceOf(Float32Array);
    for (const [name, formula] of Object.entries(EPOS_FORMULAS)) expectRows(batches, name, formula);
  });

  it('epos columns: a subset, in the order asked, shards by row range', async () => {
    const source = await openSource('epos', {
      path: fixture('epos/ions.epos'),
      io,
      columns: ['ipp', 'm/n (Da)'],
      startRow: 1000,
      endRow: 2001,
      chunkRows: 77,
    });
    expect(source.schema.columns.map((c) => c.name)).toEqual(['ipp', 'm/n (Da)']);
    const batches = await readAll(source, { overlap: 5 });
    expect(batches[0].start).toBe(995);
    expectRows(batches, 'ipp', formulas.ipp);
    expectRows(batches, 'm/n (Da)', formulas.mn);
  });

  it.each([1, 999, 1 << 20])('pos, chunkRows %i', async (chunkRows) => {
    const batches = await readAll(await openSource('pos', { path: fixture('pos/ions.pos'), io, chunkRows }));
    expect(batches.reduce((n, b) => n + b.rows, 0)).toBe(2500);
    for (const [name, formula] of Object.entries(EPOS_FORMULAS).slice(0, 4))
      expectRows(batches, name, formula);
  });
});

describe('epos: sizes', () => {
  it('a remainder is SIZE_MISMATCH naming it', async () => {
    const path = fixture('epos/ions-tail.epos');
    await expectSluiceError(openSource('epos', { path }), 'SIZE_MISMATCH', {
      path,
      offset: 3001 * 44,
      message: /7 bytes remain/,
      hint: /onRemainder: warn/,
    });
  });

  it('onRemainder: warn logs and reads the whole records', async () => {
    const logs: string[] = [];
    const stage = stageNamed('epos');
    const source = await stage.create(
      stage.params.parse({ path: fixture('epos/ions-tail.epos'), onRemainder: 'warn' }),
      {
        signal: new AbortController().signal,
        log: (m) => logs.push(m),
      },
    );
    expect(source.rows).toBe(3001);
    expect(logs.join()).toMatch(/ignoring the trailing 7 bytes/);
    expectRows(await readAll(source), 'TOF (ns)', formulas.tof);
  });

  it('rejects an unknown column at params time', () => {
    const result = stageNamed('epos').params.safeParse({ path: 'x.epos', columns: ['m/q'] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path).toEqual(['columns', 0]);
  });
});

describe.each(BACKENDS)('apt (io: %s)', (io) => {
  it.each([1, 7, 256, 1 << 20])('chunkRows %i: sections as columns', async (chunkRows) => {
    const source = await openSource('apt', { path: fixture('apt/ions.apt'), io, chunkRows });
    expect(source.schema.columns.map((c) => [c.name, c.dtype, c.unit])).toEqual([
      ['m/n (Da)', 'float32', 'Da'],
      ['x (nm)', 'float32', 'nm'],
      ['y (nm)', 'float32', 'nm'],
      ['z (nm)', 'float32', 'nm'],
      ['Multiplicity', 'uint32', undefined],
      ['det_x (mm)', 'float32', 'mm'],
      ['det_y (mm)', 'float32', 'mm'],
      ['Pulse Number', 'int64', undefined],
    ]);
    const sections = source.details['sections'] as { type: string; unsupported?: string }[];
    expect(sections.find((s) => s.type === 'Vendor Blob')?.unsupported).toMatch(/relationship type 3/);
    const batches = await readAll(source, { overlap: 2 });
    expectTiling(batches, 1000, chunkRows, 2);
    expectRows(batches, 'm/n (Da)', formulas.mn);
    expectRows(batches, 'x (nm)', formulas.x);
    expectRows(batches, 'y (nm)', formulas.y);
    expectRows(batches, 'z (nm)', formulas.z);
    expectRows(batches, 'det_x (mm)', formulas.detx);
    expectRows(batches, 'det_y (mm)', formulas.dety);
    expectRows(batches, 'Multiplicity', (i) => (i % 3) + 1);
    for (const b of batches) {
      const data = b.columns['Pulse Number'].data as BigInt64Array;
      expect(data).toBeInstanceOf(BigInt64Array);
      for (let r = 0; r < b.rows; r++) {
        if (data[r] !== BigInt(b.start + r) * 2n ** 40n - 7n)
          expect(data[r]).toBe(BigInt(b.start + r) * 2n ** 40n - 7n);
      }
    }
  });

  it('columns: only the sections named, unknown names with the nearest', async () => {
    const source = await openSource('apt', {
      path: fixture('apt/ions.apt'),
      io,
      columns: ['z (nm)', 'Multiplicity'],
    });
    const batches = await readAll(source);
    expect(Object.keys(batches[0].columns)).toEqual(['z (nm)', 'Multiplicity']);
    expectRows(batches, 'z (nm)', formulas.z);
    await expectSluiceError(
      openSource('apt', { path: fixture('apt/ions.apt'), columns: ['Mass'] }),
      'COLUMN_UNKNOWN',
      {
        hint: /Available columns/,
      },
    );
  });
});

describe('apt: malformed files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-apt-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('bad magic is FORMAT_INVALID', async () => {
    await expectSluiceError(openSource('apt', { path: fixture('apt/bad-magic.apt') }), 'FORMAT_INVALID', {
      offset: 0,
      message: /not an APT file/,
    });
  });

  it('a truncated section is FORMAT_INVALID naming it', async () => {
    await expectSluiceError(openSource('apt', { path: fixture('apt/truncated.apt') }), 'FORMAT_INVALID', {
      offset: 540,
      message: /section 'Mass'/,
    });
  });

  it('a file cut inside a section header is FORMAT_INVALID', async () => {
    const path = join(dir, 'cut.apt');
    await copyFile(fixture('apt/ions.apt'), path);
    await truncate(path, 540 + 148 + 4000 + 100);
    await expectSluiceError(openSource('apt', { path }), 'FORMAT_INVALID', { offset: 540 + 148 + 4000 });
  });
});

describe('inspect detects the formats', () => {
  it.each([
    ['epos/ions.epos', 'epos'],
    ['pos/ions.pos', 'pos'],
    ['apt/ions.apt', 'apt'],
    ['hdf5/chunked.h5', 'hdf5'],
  ])('%s → %s', async (file, name) => {
    expect((await detectSource(registry, fixture(file))).name).toBe(name);
  });
});
