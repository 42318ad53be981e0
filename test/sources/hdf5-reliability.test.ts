/**
 * Bad HDF5 input through the hdf5 source: the reproducers of issue 11
 * (test/fixtures/reliability/h5-*.h5) and corruptions libhdf5 itself finds, each one typed
 * SluiceError naming the file and the dataset, with nothing of libhdf5's error stack
 * (HDF5-DIAG) printed, through the real CLI too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectSluiceError, fixture, openSource, readAll } from './source-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-h5-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of fixture `file` with `patch` applied, written to a file of its own. */
function patchedFixture(file: string, name: string, patch: (b: Uint8Array, dv: DataView) => void): string {
  const bytes = Uint8Array.from(readFileSync(fixture(file)));
  patch(bytes, new DataView(bytes.buffer));
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function read(params: Record<string, unknown>): Promise<unknown> {
  return readAll(await openSource('hdf5', params));
}

describe('the issue 11 reproducers', () => {
  it('h5-trunc32.h5 (the first 32 bytes of an h5py file): FORMAT_INVALID where the file ends', async () => {
    const path = fixture('reliability/h5-trunc32.h5');
    await expectSluiceError(read({ path, dataset: '/d' }), 'FORMAT_INVALID', {
      path,
      offset: 32,
      message: /the file ends inside the HDF5 superblock/,
    });
  });

  it('h5-trunc52.h5 (the first 52 bytes): SIZE_MISMATCH at the end-of-file address, as libhdf5 says', async () => {
    const path = fixture('reliability/h5-trunc52.h5');
    await expectSluiceError(read({ path, dataset: '/d' }), 'SIZE_MISMATCH', {
      path,
      offset: 40,
      message: /truncated: its superblock says it ends at byte 2288, the file has 52/,
    });
  });

  it('h5-chunk-wrong.h5: the chunk B-tree’s last key is off the chunk grid, refused before reading', async () => {
    // /d: 200 float32 in gzip chunks of 32, indexed by one B-tree leaf at byte 1400. The
    // node's closing key (byte 1656) reads 0x7b7b7b7b instead of 224 (7 × 32); the chunks are
    // intact. libhdf5 2.0 (h5wasm, and h5py 3.16 here) fails the read with "bad coordinate
    // offset" and h5wasm returned its zeroed buffer as the values.
    const path = fixture('reliability/h5-chunk-wrong.h5');
    await expectSluiceError(read({ path, dataset: '/d' }), 'FORMAT_INVALID', {
      path,
      offset: 1656,
      message: /dataset \/d: chunk index: bad chunk offset 2071690107/,
    });
  });
});

describe('found by the fuzz suite', () => {
  it('h5-root-heap.h5 (seed 424242, hdf5 #6374): a root group heap inside the superblock is refused at once', async () => {
    // The root symbol table entry's heap names its data at byte 2; libhdf5 read member names out
    // of the superblock for 11 s and 2.1 GB before "memory allocation failed for chunk".
    const path = fixture('reliability/h5-root-heap.h5');
    await expectSluiceError(read({ path, dataset: '/d' }), 'FORMAT_INVALID', {
      path,
      offset: 88,
      message: /root group local heap data \(88 bytes at byte 2\) lies outside the file's data/,
    });
  });
});

describe('failures libhdf5 finds: typed, naming the dataset', () => {
  it('a corrupt gzip chunk is FORMAT_INVALID naming the rows and dataset', async () => {
    // chunked.h5: /table/b's first chunk is 165 deflated bytes at 11753.
    const path = patchedFixture('hdf5/chunked.h5', 'bad-gzip.h5', (b) => (b[11753 + 80] ^= 0x55));
    await expectSluiceError(read({ path, group: '/table', chunkRows: 1000 }), 'FORMAT_INVALID', {
      path,
      message:
        /HDF5 library failed reading rows \[0, 1000\) of \/table\/b: libhdf5: .*filter returned failure/,
    });
  });

  it('an unknown filter is FORMAT_UNSUPPORTED with a hint', async () => {
    // chunked.h5: /signal's filter pipeline (v1, at 904) lists shuffle, then deflate (id at 936).
    const path = patchedFixture('hdf5/chunked.h5', 'bad-filter.h5', (b, dv) => dv.setUint16(936, 123, true));
    await expectSluiceError(read({ path, dataset: '/signal' }), 'FORMAT_UNSUPPORTED', {
      path,
      message: /HDF5 library failed reading rows \[0, 5003\) of \/signal/,
      hint: /h5repack/,
    });
  });

  it('a group B-tree that is its own child: libhdf5 recursing without end is FORMAT_INVALID', async () => {
    // contiguous.h5: the root group's B-tree node at 136 becomes level 1, its child itself.
    const path = patchedFixture('hdf5/contiguous.h5', 'group-cycle.h5', (b, dv) => {
      b[136 + 5] = 1;
      dv.setBigUint64(0xa8, 136n, true);
    });
    await expectSluiceError(read({ path, dataset: '/signal' }), 'FORMAT_INVALID', {
      path,
      message: /recursed without end/,
    });
  });

  it('a path through a dataset is COLUMN_UNKNOWN, not a library failure', async () => {
    const path = fixture('hdf5/contiguous.h5');
    await expectSluiceError(read({ path, dataset: '/signal/x' }), 'COLUMN_UNKNOWN', { hint: /Top level/ });
  });
});

describe('sluice inspect on bad HDF5 files', () => {
  it.each([
    ['reliability/h5-chunk-wrong.h5', 'FORMAT_INVALID'],
    ['reliability/h5-trunc52.h5', 'SIZE_MISMATCH'],
  ])('%s: one typed error, exit 1, no HDF5-DIAG', (file, code) => {
    const result = spawnSync(
      process.execPath,
      ['bin/sluice.js', 'inspect', fixture(file), '--set', 'dataset=/d'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`error ${code}`);
    expect(result.stderr + result.stdout).not.toContain('HDF5-DIAG');
  });

  it('a corrupt gzip chunk: one typed error, no HDF5-DIAG', () => {
    const path = patchedFixture('hdf5/chunked.h5', 'bad-gzip-cli.h5', (b) => (b[11753 + 80] ^= 0x55));
    const result = spawnSync(
      process.execPath,
      ['bin/sluice.js', 'inspect', path, '--set', 'dataset=/table/b'],
      {
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error FORMAT_INVALID: .*\/table\/b: libhdf5: /);
    expect(result.stderr + result.stdout).not.toContain('HDF5-DIAG');
  });
});
