import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../src/core/batch.ts';
import { formulas } from './atom-probe-formulas.ts';
import { BACKENDS, expectSluiceError, fixture, openSource, readAll, stageNamed } from './source-harness.ts';

const offsets = JSON.parse(readFileSync(fixture('hdf5/hdf5-offsets.json'), 'utf8')) as Record<
  string,
  number | null
>;

/** Every row (history and new) of `column` equals `value(globalRow, j)` for each of its width values. */
function expectRows(
  batches: readonly Batch[],
  column: string,
  value: (i: number, j: number) => number | bigint,
): void {
  for (const b of batches) {
    const { data, width } = b.columns[column];
    const actual = Array.from(data as Iterable<number | bigint>);
    const want = Array.from({ length: b.rows * width }, (_, k) =>
      value(b.start + Math.floor(k / width), k % width),
    );
    if (actual.join() !== want.join()) expect(actual, `${column} @ ${b.start}`).toEqual(want);
  }
}

const TABLE = {
  a: (i: number) => formulas.x(i),
  b: (i: number) => BigInt(i) * 2n ** 33n,
  c: (i: number) => i % 65536,
};

describe.each(BACKENDS)('hdf5 contiguous, read straight from the file (io: %s)', (io) => {
  it.each([1, 100, 4096])('dataset, chunkRows %i', async (chunkRows) => {
    const source = await openSource('hdf5', {
      path: fixture('hdf5/contiguous.h5'),
      dataset: '/signal',
      io,
      chunkRows,
    });
    expect(source.details['read']).toBe('direct');
    expect(source.backend).toBe(io);
    const batches = await readAll(source, { overlap: 4 });
    expect(batches.length).toBe(Math.ceil(5003 / chunkRows));
    expectRows(batches, 'signal', (i) => i * 0.1);
  });

  it('data offsets agree with h5py (v1 and v2 object headers)', async () => {
    for (const [key, offset] of Object.entries(offsets)) {
      if (offset === null) continue;
      const [file, dataset] = key.split(':');
      const source = await openSource('hdf5', { path: fixture(`hdf5/${file}`), dataset, io });
      const [entry] = source.details['datasets'] as { storage: { contiguous: number } }[];
      await source.close();
      expect(entry.storage, key).toEqual({ contiguous: offset });
    }
  });

  it('group, big-endian and 2-D datasets', async () => {
    const table = await readAll(
      await openSource('hdf5', { path: fixture('hdf5/contiguous.h5'), group: '/table', io, chunkRows: 333 }),
      { overlap: 2 },
    );
    expect(Object.keys(table[0].columns)).toEqual(['a', 'b', 'c']);
    for (const [name, f] of Object.entries(TABLE)) expectRows(table, name, f);
    expectRows(
      await readAll(await openSource('hdf5', { path: fixture('hdf5/contiguous.h5'), dataset: '/be', io })),
      'be',
      formulas.x,
    );
    const matrix = await readAll(
      await openSource('hdf5', { path: fixture('hdf5/contiguous.h5'), dataset: 'matrix', io, chunkRows: 50 }),
    );
    expect(matrix[0].columns['matrix'].width).toBe(3);
    expectRows(matrix, 'matrix', (i, j) => [formulas.x, formulas.y, formulas.mn][j](i));
  });

  it('layout pyccapt-raw: /dld under PyCCAPT names (pulse as voltage_pulse)', async () => {
    const source = await openSource('hdf5', {
      path: fixture('hdf5/pyccapt.h5'),
      layout: 'pyccapt-raw',
      io,
      chunkRows: 64,
    });
    expect(source.schema.columns.map((c) => c.name)).toEqual([
      'x_det (cm)',
      'y_det (cm)',
      't (ns)',
      'high_voltage (V)',
      'pulse_v (V)',
      'pulse_l (pJ)',
      'start_counter',
    ]);
    const batches = await readAll(source, { overlap: 1 });
    expectRows(batches, 'x_det (cm)', (i) => formulas.detx(i) / 10);
    expectRows(batches, 'y_det (cm)', (i) => formulas.dety(i) / 10);
    expectRows(batches, 't (ns)', formulas.tof);
    expectRows(batches, 'high_voltage (V)', formulas.hv);
    expectRows(batches, 'pulse_v (V)', formulas.pulse);
    expectRows(batches, 'pulse_l (pJ)', (i) => 0.5 * (i % 3));
    expectRows(batches, 'start_counter', (i) => BigInt(i));
  });
});

describe('hdf5 chunked + gzip, through h5wasm hyperslabs', () => {
  it.each([1, 255, 256, 1000, 1 << 20])('chunkRows %i equals the contiguous read', async (chunkRows) => {
    const source = await openSource('hdf5', {
      path: fixture('hdf5/chunked.h5'),
      group: '/table',
      chunkRows,
      startRow: 10,
    });
    expect(source.details['read']).toBe('h5wasm');
    const batches = await readAll(source, { overlap: 3 });
    expect(batches.length).toBe(Math.ceil(1991 / chunkRows));
    expect(batches[0].start).toBe(7);
    expect(batches[0].history).toBe(3);
    for (const [name, f] of Object.entries(TABLE)) expectRows(batches, name, f);
    const signal = await readAll(
      await openSource('hdf5', { path: fixture('hdf5/chunked.h5'), dataset: '/signal', chunkRows }),
    );
    expectRows(signal, 'signal', (i) => i * 0.1);
  });

  it('an unallocated dataset reads its fill value', async () => {
    const batches = await readAll(
      await openSource('hdf5', { path: fixture('hdf5/contiguous.h5'), dataset: '/empty' }),
    );
    expect(Array.from(batches[0].columns['empty'].data as Float32Array)).toEqual(new Array(10).fill(0));
  });
});

describe('hdf5: refusals', () => {
  const path = fixture('hdf5/contiguous.h5');
  it('needs exactly one of dataset, group, layout', () => {
    expect(stageNamed('hdf5').params.safeParse({ path }).success).toBe(false);
    expect(stageNamed('hdf5').params.safeParse({ path, dataset: '/a', group: '/b' }).success).toBe(false);
  });
  it('compound data is FORMAT_UNSUPPORTED with a hint', async () => {
    await expectSluiceError(openSource('hdf5', { path, dataset: '/compound' }), 'FORMAT_UNSUPPORTED', {
      hint: /one dataset per field/,
    });
  });
  it('a missing dataset is COLUMN_UNKNOWN listing the top level', async () => {
    await expectSluiceError(openSource('hdf5', { path, dataset: '/nope' }), 'COLUMN_UNKNOWN', {
      hint: /signal/,
    });
  });
  it('a group of unequal lengths is SIZE_MISMATCH', async () => {
    await expectSluiceError(openSource('hdf5', { path, group: '/ragged' }), 'SIZE_MISMATCH', {
      message: /unequal length/,
    });
  });
  it('a file that is not HDF5 is FORMAT_INVALID', async () => {
    await expectSluiceError(
      openSource('hdf5', { path: fixture('epos/ions.epos'), dataset: '/x' }),
      'FORMAT_INVALID',
      {
        message: /not an HDF5 file/,
      },
    );
  });
});
